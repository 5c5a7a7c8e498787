using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>ResnetBlock2D</c>: GroupNorm → act → conv1, the time embedding act(temb) → <c>time_emb_proj</c> either
/// added ("default") or applied after norm2 as h·(1 + scale) + shift ("scale_shift", projection to 2·out) → GroupNorm
/// → act → conv2, plus a 1×1 <c>conv_shortcut</c> when channel counts differ; (shortcut + h) / output_scale_factor.
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
    private readonly string _activation;
    private readonly bool _scaleShift;

    /// <param name="tembChannels">Time embedding width, or null for the VAE (no time input).</param>
    /// <param name="activation">diffusers activation name (<see cref="DiffusersActivation"/>).</param>
    /// <param name="timeEmbeddingNorm">"default" (additive) or "scale_shift".</param>
    public ResnetBlock2D(long inChannels, long outChannels, long? tembChannels, long groups, double eps,
        double outputScaleFactor = 1.0, Device? device = null, string activation = "silu", string timeEmbeddingNorm = "default")
        : base(nameof(ResnetBlock2D))
    {
        _activation = DiffusersActivation.Validate(activation);
        _scaleShift = timeEmbeddingNorm switch
        {
            "default" => false,
            "scale_shift" => true,
            _ => throw new NotSupportedException($"resnet_time_scale_shift='{timeEmbeddingNorm}' is not supported (default, scale_shift)."),
        };
        norm1 = nn.GroupNorm(groups, inChannels, eps, device: device);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1, device: device);
        if (tembChannels is long t) time_emb_proj = nn.Linear(t, _scaleShift ? 2 * outChannels : outChannels, device: device);
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
        var h = conv1.forward(Act(norm1.forward(x)));
        var t = time_emb_proj is not null && temb is not null
            ? time_emb_proj.forward(Act(temb)).unsqueeze(-1).unsqueeze(-1)
            : null;
        if (!_scaleShift)
        {
            if (t is not null) h = h.Plus(t);
            h = norm2.forward(h);
        }
        else
        {
            if (t is null) throw new ArgumentException("A scale_shift ResNet block needs a time embedding.", nameof(temb));
            var scaleShift = t.chunk(2, 1);
            h = (norm2.forward(h) * (scaleShift[0].Plus(1))).Plus(scaleShift[1]);
        }
        h = conv2.forward(Act(h));
        var shortcut = conv_shortcut is null ? x : conv_shortcut.forward(x);
        var output = shortcut.Plus(h);
        if (_outputScaleFactor != 1.0) output = output.DividedBy(_outputScaleFactor);
        return output.MoveToOuterDisposeScope();
    }

    private Tensor Act(Tensor x) => DiffusersActivation.Apply(_activation, x);
}
