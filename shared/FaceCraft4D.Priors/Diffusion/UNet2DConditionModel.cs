using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Config-driven port of diffusers <c>UNet2DConditionModel</c> (SD 1.x / 2.x / SDXL block structure). Parameter
/// names equal the diffusers state dict (<c>conv_in</c>, <c>time_embedding.linear_1</c>, <c>add_embedding.*</c> for
/// SDXL, <c>down_blocks.*</c>, <c>mid_block.*</c>, <c>up_blocks.*</c>, <c>conv_norm_out</c>, <c>conv_out</c>), so
/// <c>unet/diffusion_pytorch_model.safetensors</c> loads directly. Build it on the meta device to enumerate names
/// and shapes without allocating. Attention behaviour is pluggable per site (<see cref="SetAttentionProcessors"/>).
/// </summary>
public sealed class UNet2DConditionModel : nn.Module
{
    private readonly Conv2d conv_in;
    private readonly TimestepEmbedding time_embedding;
    private readonly TimestepEmbedding? add_embedding;
    private readonly Linear? encoder_hid_proj;
    private readonly ModuleList<UNetDownBlock2D> down_blocks;
    private readonly UNetMidBlock2DCrossAttn? mid_block;
    private readonly ModuleList<UNetUpBlock2D> up_blocks;
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2d conv_out;

    public UNet2DConditionModel(UNet2DConditionConfig config, Device? device = null) : base(nameof(UNet2DConditionModel))
    {
        Config = config;
        var ch = config.BlockOutChannels;
        int n = ch.Length;
        long temb = config.TimeEmbedDim;

        string act = config.ActFn, shift = config.ResnetTimeScaleShift;
        var onlyCross = config.OnlyCrossAttention ?? new bool[n];

        conv_in = nn.Conv2d(config.InChannels, ch[0], config.ConvInKernel, padding: (config.ConvInKernel - 1) / 2, device: device);
        time_embedding = new TimestepEmbedding(ch[0], temb, device, act, config.TimestepPostAct, config.TimeCondProjDim);
        register_module(nameof(conv_in), conv_in);
        register_module(nameof(time_embedding), time_embedding);
        if (config.EncoderHidDim is int hid)
        {
            if (config.CrossAttentionDim.Distinct().Count() != 1)
                throw new NotSupportedException("encoder_hid_dim with a per-block cross_attention_dim list is not supported.");
            encoder_hid_proj = nn.Linear(hid, config.CrossAttentionDim[0], device: device);
            register_module(nameof(encoder_hid_proj), encoder_hid_proj);
        }
        if (config.AdditionEmbedType == "text_time")
        {
            int inDim = config.ProjectionClassEmbeddingsInputDim
                ?? throw new InvalidDataException("addition_embed_type 'text_time' requires projection_class_embeddings_input_dim.");
            if (config.AdditionTimeEmbedDim is null)
                throw new InvalidDataException("addition_embed_type 'text_time' requires addition_time_embed_dim.");
            add_embedding = new TimestepEmbedding(inDim, temb, device);
            register_module(nameof(add_embedding), add_embedding);
        }

        var downs = new List<UNetDownBlock2D>();
        long output = ch[0];
        for (int i = 0; i < n; i++)
        {
            long input = output;
            output = ch[i];
            downs.Add(new UNetDownBlock2D(input, output, temb, config.LayersPerBlock[i], config.DownBlockTypes[i] == "CrossAttnDownBlock2D",
                config.TransformerLayersPerBlock[i], config.NumAttentionHeads[i], config.CrossAttentionDim[i], i < n - 1,
                config.DownsamplePadding, config.NormNumGroups, config.NormEps, config.UseLinearProjection, config.UpcastAttention, device,
                act, shift, onlyCross[i]));
        }
        down_blocks = nn.ModuleList(downs.ToArray());
        register_module(nameof(down_blocks), down_blocks);

        if (config.MidBlockType is not null)
        {
            mid_block = new UNetMidBlock2DCrossAttn(ch[^1], temb, config.NumAttentionHeads[^1], config.TransformerLayersPerBlock[^1][0],
                config.CrossAttentionDim[^1], config.NormNumGroups, config.NormEps, config.MidBlockScaleFactor,
                config.UseLinearProjection, config.UpcastAttention, device, act, shift,
                withCrossAttention: config.MidBlockType == "UNetMidBlock2DCrossAttn");
            register_module(nameof(mid_block), mid_block);
        }

        var reversed = ch.Reverse().ToArray();
        var reversedHeads = config.NumAttentionHeads.Reverse().ToArray();
        var reversedCross = config.CrossAttentionDim.Reverse().ToArray();
        var reversedLayers = config.LayersPerBlock.Reverse().ToArray();
        var reversedOnlyCross = onlyCross.Reverse().ToArray();
        var ups = new List<UNetUpBlock2D>();
        output = reversed[0];
        for (int i = 0; i < n; i++)
        {
            long prev = output;
            output = reversed[i];
            long input = reversed[Math.Min(i + 1, n - 1)];
            ups.Add(new UNetUpBlock2D(input, prev, output, temb, reversedLayers[i] + 1, config.UpBlockTypes[i] == "CrossAttnUpBlock2D",
                config.UpTransformerLayersPerBlock[i], reversedHeads[i], reversedCross[i], i < n - 1,
                config.NormNumGroups, config.NormEps, config.UseLinearProjection, config.UpcastAttention, device,
                act, shift, reversedOnlyCross[i]));
        }
        up_blocks = nn.ModuleList(ups.ToArray());
        register_module(nameof(up_blocks), up_blocks);

        conv_norm_out = nn.GroupNorm(config.NormNumGroups, ch[0], config.NormEps, device: device);
        conv_out = nn.Conv2d(ch[0], config.OutChannels, config.ConvOutKernel, padding: (config.ConvOutKernel - 1) / 2, device: device);
        register_module(nameof(conv_norm_out), conv_norm_out);
        register_module(nameof(conv_out), conv_out);

        foreach (var (name, module) in named_modules())
            if (module is Attention attention) attention.Path = name;
    }

    public UNet2DConditionConfig Config { get; }

    /// <summary>All attention modules with their paths (self-attention <c>attn1</c>, cross-attention <c>attn2</c>).</summary>
    public IReadOnlyList<AttentionSite> AttentionSites()
        => named_modules().Where(m => m.module is Attention)
            .Select(m => new AttentionSite(m.name, !((Attention)m.module).IsCrossAttention, (Attention)m.module)).ToList();

    /// <summary>Assigns a processor to every attention module, chosen per site.</summary>
    public void SetAttentionProcessors(Func<AttentionSite, IAttentionProcessor> choose)
    {
        foreach (var site in AttentionSites()) site.Module.Processor = choose(site);
    }

    /// <summary>Predicts the model output (ε or v, per the checkpoint) for a noisy latent.</summary>
    /// <param name="sample">[B, Cin, h, w] noisy latents.</param>
    /// <param name="timesteps">[B] (or [1], broadcast) diffusion timesteps.</param>
    /// <param name="encoderHiddenStates">[B, 77, crossDim] text embeddings.</param>
    /// <param name="added">SDXL added conditioning (required when the config says "text_time").</param>
    /// <param name="timestepCondition">[B, time_cond_proj_dim] timestep condition (only with <c>time_cond_proj_dim</c>).</param>
    /// <returns>[B, Cout, h, w]</returns>
    public Tensor Forward(Tensor sample, Tensor timesteps, Tensor encoderHiddenStates, SdxlAddedConditions? added = null,
        Tensor? timestepCondition = null)
    {
        using var scope = NewDisposeScope();
        long b = sample.shape[0];
        if (Config.CenterInputSample) sample = sample.Times(2).Minus(1.0);
        var t = timesteps.dim() == 0 ? timesteps.reshape(1) : timesteps;
        if (t.shape[0] != b) t = t.expand(b);
        var tEmb = SinusoidalTimestepEncoding.Encode(t, Config.BlockOutChannels[0], Config.FlipSinToCos, Config.FreqShift).to(sample.dtype);
        var emb = time_embedding.Forward(tEmb, timestepCondition);
        if (add_embedding is not null)
        {
            if (added is null) throw new ArgumentException("This UNet needs SDXL added conditions (text_embeds, time_ids).", nameof(added));
            var timeIds = added.TimeIds.flatten();
            var timeEmb = SinusoidalTimestepEncoding.Encode(timeIds, Config.AdditionTimeEmbedDim!.Value, Config.FlipSinToCos, Config.FreqShift)
                .reshape(b, -1);
            var addEmbeds = torch.cat([added.TextEmbeds, timeEmb], -1).to(emb.dtype);
            emb = emb.Plus(add_embedding.forward(addEmbeds));
        }
        if (Config.TimeEmbeddingActFn is { } timeAct) emb = DiffusersActivation.Apply(timeAct, emb);
        if (encoder_hid_proj is not null) encoderHiddenStates = encoder_hid_proj.forward(encoderHiddenStates);

        var h = conv_in.forward(sample);
        var skips = new List<Tensor> { h };
        foreach (var block in down_blocks)
        {
            var (output, blockSkips) = block.Forward(h, emb, encoderHiddenStates);
            h = output;
            skips.AddRange(blockSkips);
        }
        if (mid_block is not null) h = mid_block.Forward(h, emb, encoderHiddenStates);
        for (int i = 0; i < up_blocks.Count; i++)
        {
            var block = up_blocks[i];
            int take = block.LayerCount;
            var blockSkips = skips.GetRange(skips.Count - take, take);
            skips.RemoveRange(skips.Count - take, take);
            long[]? size = skips.Count > 0 ? [skips[^1].shape[2], skips[^1].shape[3]] : null;
            h = block.Forward(h, blockSkips, emb, encoderHiddenStates, i < up_blocks.Count - 1 ? size : null);
        }
        h = conv_out.forward(DiffusersActivation.Apply(Config.ActFn, conv_norm_out.forward(h)));
        return h.MoveToOuterDisposeScope();
    }
}
