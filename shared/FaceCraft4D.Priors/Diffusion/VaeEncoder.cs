using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers VAE <c>Encoder</c>: <c>conv_in</c>, <c>down_blocks.i</c> (DownEncoderBlock2D: <c>resnets</c>,
/// <c>downsamplers.0</c> with asymmetric padding), <c>mid_block</c>, <c>conv_norm_out</c>, SiLU, <c>conv_out</c>
/// to 2·latent channels (mean and log-variance).
/// </summary>
public sealed class VaeEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv_in;
    private readonly ModuleList<VaeDownEncoderBlock2D> down_blocks;
    private readonly VaeMidBlock mid_block;
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2d conv_out;

    public VaeEncoder(AutoencoderKLConfig config, Device? device = null) : base(nameof(VaeEncoder))
    {
        var ch = config.BlockOutChannels;
        conv_in = nn.Conv2d(config.InChannels, ch[0], 3, padding: 1, device: device);
        var blocks = new List<VaeDownEncoderBlock2D>();
        long output = ch[0];
        for (int i = 0; i < ch.Length; i++)
        {
            long input = output;
            output = ch[i];
            blocks.Add(new VaeDownEncoderBlock2D(input, output, config.LayersPerBlock, config.NormNumGroups, i < ch.Length - 1, device, config.ActFn));
        }
        down_blocks = nn.ModuleList(blocks.ToArray());
        mid_block = new VaeMidBlock(ch[^1], config.NormNumGroups, config.MidBlockAddAttention, device, config.ActFn);
        conv_norm_out = nn.GroupNorm(config.NormNumGroups, ch[^1], 1e-6, device: device);
        conv_out = nn.Conv2d(ch[^1], 2L * config.LatentChannels, 3, padding: 1, device: device);
        register_module(nameof(conv_in), conv_in);
        register_module(nameof(down_blocks), down_blocks);
        register_module(nameof(mid_block), mid_block);
        register_module(nameof(conv_norm_out), conv_norm_out);
        register_module(nameof(conv_out), conv_out);
    }

    /// <param name="x">[B, 3, H, W] in [-1, 1]</param>
    /// <returns>[B, 2·latent, H/f, W/f]</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.forward(x);
        foreach (var block in down_blocks) h = block.forward(h);
        h = mid_block.forward(h);
        // diffusers hard-codes nn.SiLU() here: act_fn only reaches the ResNet blocks.
        h = conv_out.forward(nn.functional.silu(conv_norm_out.forward(h)));
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>diffusers <c>DownEncoderBlock2D</c>: <c>resnets.i</c> (no time input, eps 1e-6) then <c>downsamplers.0</c> (padding 0).</summary>
public sealed class VaeDownEncoderBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    public VaeDownEncoderBlock2D(long inChannels, long outChannels, int numLayers, long groups, bool addDownsample, Device? device = null,
        string activation = "silu")
        : base(nameof(VaeDownEncoderBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, groups, 1e-6, 1.0, device, activation)).ToArray());
        register_module(nameof(resnets), resnets);
        if (addDownsample)
        {
            downsamplers = nn.ModuleList(new Downsample2D(outChannels, 0, device));
            register_module(nameof(downsamplers), downsamplers);
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var r in resnets) h = r.forward(h, null);
        if (downsamplers is not null) h = downsamplers[0].forward(h);
        return h.MoveToOuterDisposeScope();
    }
}
