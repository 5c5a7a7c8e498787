using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>ConvNeXt LayerNorm over the channel axis of [B, C, H, W] (keys <c>weight</c>, <c>bias</c>).</summary>
public sealed class ChannelsFirstLayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly double _eps;

    public ChannelsFirstLayerNorm(long channels, double eps = 1e-6, Device? device = null) : base(nameof(ChannelsFirstLayerNorm))
    {
        weight = nn.Parameter(torch.ones(channels, device: device));
        bias = nn.Parameter(torch.zeros(channels, device: device));
        _eps = eps;
        register_parameter(nameof(weight), weight);
        register_parameter(nameof(bias), bias);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var mean = x.mean([1], keepdim: true);
        var variance = (x - mean).Power(2).mean([1], keepdim: true);
        var normalized = (x - mean) / torch.sqrt(variance.Plus(_eps));
        var output = (weight.view(1, -1, 1, 1) * normalized).Plus(bias.view(1, -1, 1, 1));
        return output.MoveToOuterDisposeScope();
    }
}

/// <summary>ConvNeXtV2 global response normalisation on [B, H, W, C] (keys <c>gamma</c>, <c>beta</c> of shape [1, 1, 1, C]).</summary>
public sealed class GlobalResponseNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter gamma;
    private readonly Parameter beta;

    public GlobalResponseNorm(long dim, Device? device = null) : base(nameof(GlobalResponseNorm))
    {
        gamma = nn.Parameter(torch.zeros([1, 1, 1, dim], device: device));
        beta = nn.Parameter(torch.zeros([1, 1, 1, dim], device: device));
        register_parameter(nameof(gamma), gamma);
        register_parameter(nameof(beta), beta);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gx = x.Power(2).sum([1, 2], keepdim: true).sqrt();
        var nx = gx / gx.mean([-1], keepdim: true).Plus(1e-6);
        return (gamma * (x * nx)).Plus(beta).Plus(x).MoveToOuterDisposeScope();
    }
}

/// <summary>ConvNeXtV2 block: depthwise 7×7 <c>dwconv</c> → <c>norm</c> → <c>pwconv1</c> → GELU → <c>grn</c> → <c>pwconv2</c>, residual.</summary>
public sealed class ConvNeXtV2Block : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d dwconv;
    private readonly LayerNorm norm;
    private readonly Linear pwconv1;
    private readonly GlobalResponseNorm grn;
    private readonly Linear pwconv2;

    public ConvNeXtV2Block(long dim, Device? device = null) : base(nameof(ConvNeXtV2Block))
    {
        dwconv = nn.Conv2d(dim, dim, 7, padding: 3, groups: dim, device: device);
        norm = nn.LayerNorm(dim, 1e-6, device: device);
        pwconv1 = nn.Linear(dim, 4 * dim, device: device);
        grn = new GlobalResponseNorm(4 * dim, device);
        pwconv2 = nn.Linear(4 * dim, dim, device: device);
        register_module(nameof(dwconv), dwconv);
        register_module(nameof(norm), norm);
        register_module(nameof(pwconv1), pwconv1);
        register_module(nameof(grn), grn);
        register_module(nameof(pwconv2), pwconv2);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = dwconv.forward(x).permute(0, 2, 3, 1);
        h = pwconv2.forward(grn.forward(nn.functional.gelu(pwconv1.forward(norm.forward(h)))));
        return x.Plus(h.permute(0, 3, 1, 2)).MoveToOuterDisposeScope();
    }
}

/// <summary>Raw outputs of the LivePortrait motion extractor for a batch.</summary>
/// <param name="Pitch">[B, bins] pose logits.</param>
/// <param name="Yaw">[B, bins]</param>
/// <param name="Roll">[B, bins]</param>
/// <param name="Translation">[B, 3]</param>
/// <param name="Expression">[B, 3·K] expression deformation.</param>
/// <param name="Scale">[B, 1]</param>
/// <param name="Keypoints">[B, 3·K] canonical implicit keypoints.</param>
public sealed record MotionExtractorOutput(Tensor Pitch, Tensor Yaw, Tensor Roll, Tensor Translation, Tensor Expression, Tensor Scale, Tensor Keypoints) : IDisposable
{
    public void Dispose()
    {
        Pitch.Dispose(); Yaw.Dispose(); Roll.Dispose(); Translation.Dispose(); Expression.Dispose(); Scale.Dispose(); Keypoints.Dispose();
    }
}

/// <summary>
/// ConvNeXtV2 backbone with LivePortrait heads (keys <c>downsample_layers.i.j</c>, <c>stages.i.j.*</c>,
/// <c>norm</c>, <c>fc_kp, fc_scale, fc_pitch, fc_yaw, fc_roll, fc_t, fc_exp</c>).
/// </summary>
public sealed class ConvNeXtV2 : nn.Module<Tensor, MotionExtractorOutput>
{
    private readonly ModuleList<Sequential> downsample_layers;
    private readonly ModuleList<Sequential> stages;
    private readonly LayerNorm norm;
    private readonly Linear fc_kp;
    private readonly Linear fc_scale;
    private readonly Linear fc_pitch;
    private readonly Linear fc_yaw;
    private readonly Linear fc_roll;
    private readonly Linear fc_t;
    private readonly Linear fc_exp;

    public ConvNeXtV2(MotionExtractorConfig config, Device? device = null) : base(nameof(ConvNeXtV2))
    {
        var dims = config.StageDims;
        var depths = config.StageDepths;
        if (dims.Length != 4 || depths.Length != 4)
            throw new ArgumentException($"ConvNeXtV2 has four stages: depths and dims need four entries (got {depths.Length} and {dims.Length}).", nameof(config));
        var downs = new List<Sequential>
        {
            nn.Sequential(nn.Conv2d(config.InChans, dims[0], 4, stride: 4, device: device), new ChannelsFirstLayerNorm(dims[0], 1e-6, device)),
        };
        for (int i = 0; i < dims.Length - 1; i++)
            downs.Add(nn.Sequential(new ChannelsFirstLayerNorm(dims[i], 1e-6, device), nn.Conv2d(dims[i], dims[i + 1], 2, stride: 2, device: device)));
        downsample_layers = nn.ModuleList(downs.ToArray());
        stages = nn.ModuleList(dims.Select((d, i) => nn.Sequential(Enumerable.Range(0, depths[i])
            .Select(_ => (nn.Module<Tensor, Tensor>)new ConvNeXtV2Block(d, device)).ToArray())).ToArray());
        long last = dims[^1];
        norm = nn.LayerNorm(last, 1e-6, device: device);
        fc_kp = nn.Linear(last, 3L * config.NumKp, device: device);
        fc_scale = nn.Linear(last, 1, device: device);
        fc_pitch = nn.Linear(last, config.NumBins, device: device);
        fc_yaw = nn.Linear(last, config.NumBins, device: device);
        fc_roll = nn.Linear(last, config.NumBins, device: device);
        fc_t = nn.Linear(last, 3, device: device);
        fc_exp = nn.Linear(last, 3L * config.NumKp, device: device);
        register_module(nameof(downsample_layers), downsample_layers);
        register_module(nameof(stages), stages);
        register_module(nameof(norm), norm);
        register_module(nameof(fc_kp), fc_kp);
        register_module(nameof(fc_scale), fc_scale);
        register_module(nameof(fc_pitch), fc_pitch);
        register_module(nameof(fc_yaw), fc_yaw);
        register_module(nameof(fc_roll), fc_roll);
        register_module(nameof(fc_t), fc_t);
        register_module(nameof(fc_exp), fc_exp);
    }

    /// <param name="x">[B, 3, 256, 256] in [0, 1]</param>
    public override MotionExtractorOutput forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        for (int i = 0; i < stages.Count; i++) h = stages[i].forward(downsample_layers[i].forward(h));
        var pooled = norm.forward(h.mean([-2, -1]));
        var result = new MotionExtractorOutput(fc_pitch.forward(pooled), fc_yaw.forward(pooled), fc_roll.forward(pooled),
            fc_t.forward(pooled), fc_exp.forward(pooled), fc_scale.forward(pooled), fc_kp.forward(pooled));
        foreach (var t in new[] { result.Pitch, result.Yaw, result.Roll, result.Translation, result.Expression, result.Scale, result.Keypoints })
            t.MoveToOuterDisposeScope();
        return result;
    }
}

/// <summary>LivePortrait motion extractor M (<c>motion_extractor.pth</c>): the ConvNeXtV2 under the key prefix <c>detector.</c>.</summary>
public sealed class MotionExtractor : nn.Module<Tensor, MotionExtractorOutput>
{
    private readonly ConvNeXtV2 detector;

    public MotionExtractor(MotionExtractorConfig config, Device? device = null) : base(nameof(MotionExtractor))
    {
        Config = config;
        detector = new ConvNeXtV2(config, device);
        register_module(nameof(detector), detector);
    }

    public MotionExtractorConfig Config { get; }

    public override MotionExtractorOutput forward(Tensor x) => detector.forward(x);
}
