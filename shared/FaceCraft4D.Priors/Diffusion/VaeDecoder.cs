using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers VAE <c>Decoder</c>: <c>conv_in</c>, <c>mid_block</c>, <c>up_blocks.i</c> (UpDecoderBlock2D with
/// layers_per_block + 1 <c>resnets</c> and <c>upsamplers.0</c>), <c>conv_norm_out</c>, SiLU, <c>conv_out</c>.
/// </summary>
public sealed class VaeDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv_in;
    private readonly VaeMidBlock mid_block;
    private readonly ModuleList<VaeUpDecoderBlock2D> up_blocks;
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2d conv_out;

    public VaeDecoder(AutoencoderKLConfig config, Device? device = null) : base(nameof(VaeDecoder))
    {
        var reversed = config.BlockOutChannels.Reverse().ToArray();
        conv_in = nn.Conv2d(config.LatentChannels, reversed[0], 3, padding: 1, device: device);
        mid_block = new VaeMidBlock(reversed[0], config.NormNumGroups, config.MidBlockAddAttention, device, config.ActFn);
        var blocks = new List<VaeUpDecoderBlock2D>();
        long output = reversed[0];
        for (int i = 0; i < reversed.Length; i++)
        {
            long prev = output;
            output = reversed[i];
            blocks.Add(new VaeUpDecoderBlock2D(prev, output, config.LayersPerBlock + 1, config.NormNumGroups, i < reversed.Length - 1, device, config.ActFn));
        }
        up_blocks = nn.ModuleList(blocks.ToArray());
        conv_norm_out = nn.GroupNorm(config.NormNumGroups, config.BlockOutChannels[0], 1e-6, device: device);
        conv_out = nn.Conv2d(config.BlockOutChannels[0], config.OutChannels, 3, padding: 1, device: device);
        register_module(nameof(conv_in), conv_in);
        register_module(nameof(mid_block), mid_block);
        register_module(nameof(up_blocks), up_blocks);
        register_module(nameof(conv_norm_out), conv_norm_out);
        register_module(nameof(conv_out), conv_out);
    }

    /// <param name="z">[B, latent, h, w] (unscaled latents after post_quant_conv)</param>
    /// <returns>[B, 3, h·f, w·f]</returns>
    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.forward(z);
        h = mid_block.forward(h);
        foreach (var block in up_blocks) h = block.forward(h);
        // diffusers hard-codes nn.SiLU() here: act_fn only reaches the ResNet blocks.
        h = conv_out.forward(nn.functional.silu(conv_norm_out.forward(h)));
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>diffusers <c>UpDecoderBlock2D</c>: <c>resnets.i</c> (no time input, eps 1e-6) then <c>upsamplers.0</c>.</summary>
public sealed class VaeUpDecoderBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Upsample2D>? upsamplers;

    public VaeUpDecoderBlock2D(long inChannels, long outChannels, int numLayers, long groups, bool addUpsample, Device? device = null,
        string activation = "silu")
        : base(nameof(VaeUpDecoderBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, groups, 1e-6, 1.0, device, activation)).ToArray());
        register_module(nameof(resnets), resnets);
        if (addUpsample)
        {
            upsamplers = nn.ModuleList(new Upsample2D(outChannels, device));
            register_module(nameof(upsamplers), upsamplers);
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var r in resnets) h = r.forward(h, null);
        if (upsamplers is not null) h = upsamplers[0].forward(h, null);
        return h.MoveToOuterDisposeScope();
    }
}
