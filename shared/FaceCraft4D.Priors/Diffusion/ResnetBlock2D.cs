using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>ResnetBlock2D</c> (default time-embedding norm): GroupNorm → SiLU → conv1 (+ time_emb_proj(SiLU(temb)))
/// → GroupNorm → SiLU → conv2, plus a 1×1 <c>conv_shortcut</c> when channel counts differ.
/// Keys: <c>norm1, conv1, time_emb_proj, norm2, conv2, conv_shortcut</c>.
/// </summary>
public sealed class ResnetBlock2D : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly Linear? time_emb_proj;
    private readonly GroupNorm norm2;
    private readonly Conv2d conv2;
    private readonly Conv2d? conv_shortcut;
    private readonly double _outputScaleFactor;

    /// <param name="tembChannels">Time embedding width, or null for the VAE (no time input).</param>
    public ResnetBlock2D(long inChannels, long outChannels, long? tembChannels, long groups, double eps,
        double outputScaleFactor = 1.0, Device? device = null) : base(nameof(ResnetBlock2D))
    {
        norm1 = nn.GroupNorm(groups, inChannels, eps, device: device);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1, device: device);
        if (tembChannels is long t) time_emb_proj = nn.Linear(t, outChannels, device: device);
        norm2 = nn.GroupNorm(groups, outChannels, eps, device: device);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, device: device);
        if (inChannels != outChannels) conv_shortcut = nn.Conv2d(inChannels, outChannels, 1, device: device);
        _outputScaleFactor = outputScaleFactor;

        register_module(nameof(norm1), norm1);
        register_module(nameof(conv1), conv1);
        if (time_emb_proj is not null) register_module(nameof(time_emb_proj), time_emb_proj);
        register_module(nameof(norm2), norm2);
        register_module(nameof(conv2), conv2);
        if (conv_shortcut is not null) register_module(nameof(conv_shortcut), conv_shortcut);
    }

    /// <param name="x">[B, Cin, H, W]</param>
    /// <param name="temb">[B, Ctemb] or null.</param>
    /// <returns>[B, Cout, H, W]</returns>
    public override Tensor forward(Tensor x, Tensor? temb)
    {
        using var scope = torch.NewDisposeScope();
        var h = conv1.forward(nn.functional.silu(norm1.forward(x)));
        if (time_emb_proj is not null && temb is not null)
            h = h + time_emb_proj.forward(nn.functional.silu(temb)).unsqueeze(-1).unsqueeze(-1);
        h = conv2.forward(nn.functional.silu(norm2.forward(h)));
        var shortcut = conv_shortcut is null ? x : conv_shortcut.forward(x);
        var output = shortcut + h;
        if (_outputScaleFactor != 1.0) output = output / _outputScaleFactor;
        return output.MoveToOuterDisposeScope();
    }
}
