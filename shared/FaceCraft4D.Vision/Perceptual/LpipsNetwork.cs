using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Perceptual;

/// <summary>
/// LPIPS (Zhang et al. 2018, "The Unreasonable Effectiveness of Deep Features as a Perceptual Metric"), the <c>lpips</c>
/// package's <c>LPIPS</c> module with its state-dict names: <c>scaling_layer.shift|scale</c>, the trunk
/// <c>net.slice{1..5}.{i}.weight|bias</c> (<see cref="LpipsTrunk"/>) and the heads <c>lin{0..4}.model.1.weight</c>
/// (<see cref="LpipsLinearHead"/>). Images in [−1, 1] (or [0, 1] with <c>normalize</c>) → scaling layer (v0.1) → the five
/// trunk taps → each tap unit-normalised over channels (x / (‖x‖₂ + 1e-10)) → squared difference → head k (or the channel
/// sum) → spatial mean (or bilinear upsampling to the input size when spatial) → sum over the taps.
/// Differentiable with respect to the images (COIN and the PanoHead inversion backpropagate through it); built in eval mode.
/// Load weights with <see cref="LpipsWeights.Load"/>.
/// </summary>
public sealed class LpipsNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LpipsScalingLayer scalingLayer;
    private readonly LpipsLinearHead[] heads;

    public LpipsNetwork(LpipsConfig config) : base("LPIPS")
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        scalingLayer = new LpipsScalingLayer();
        Trunk = new LpipsTrunk(config);
        register_module("scaling_layer", scalingLayer);
        register_module("net", Trunk);
        heads = config.LinearHeads
            ? Enumerable.Range(0, 5).Select(k => new LpipsLinearHead(config.Channels[k], config.HeadDropout)).ToArray()
            : [];
        for (int k = 0; k < heads.Length; k++) register_module($"lin{k}", heads[k]);
        eval();
    }

    public LpipsConfig Config { get; }

    /// <summary>The trunk, state-dict prefix <c>net.</c>.</summary>
    public LpipsTrunk Trunk { get; }

    /// <summary>The learned heads <c>lin0..lin4</c> (none for the <c>lpips=False</c> baseline).</summary>
    public IReadOnlyList<LpipsLinearHead> Heads => heads;

    /// <summary>
    /// <c>val, res = LPIPS(in0, in1, retPerLayer=True, normalize)</c>.
    /// </summary>
    /// <param name="in0">[N, 3, H, W] in [−1, 1], or in [0, 1] with <paramref name="normalize"/></param>
    /// <param name="in1">same shape</param>
    /// <param name="normalize">map [0, 1] inputs to [−1, 1] first (2x − 1)</param>
    public LpipsResult Compare(Tensor in0, Tensor in1, bool normalize = false)
    {
        using var scope = torch.NewDisposeScope();
        if (normalize)
        {
            in0 = in0.Times(2).Minus(1);
            in1 = in1.Times(2).Minus(1);
        }
        var x0 = Config.ScalesInputs ? scalingLayer.forward(in0) : in0;
        var x1 = Config.ScalesInputs ? scalingLayer.forward(in1) : in1;
        var taps0 = Trunk.forward(x0);
        var taps1 = Trunk.forward(x1);
        var layers = new Tensor[5];
        Tensor? total = null;
        for (int k = 0; k < 5; k++)
        {
            var diff = (UnitNormalise(taps0[k]) - UnitNormalise(taps1[k])).Power(2); // [N, C_k, H_k, W_k]
            var map = Config.LinearHeads ? heads[k].forward(diff) : diff.sum(1, keepdim: true); // [N, 1, H_k, W_k]
            layers[k] = Config.Spatial
                ? nn.functional.interpolate(map, size: new[] { in0.shape[2], in0.shape[3] }, mode: InterpolationMode.Bilinear, align_corners: false)
                : map.mean(new long[] { 2, 3 }, keepdim: true);
            total = total is null ? layers[k] : total.Plus(layers[k]);
        }
        return new LpipsResult(total!.MoveToOuterDisposeScope(), layers.Select(l => l.MoveToOuterDisposeScope()).ToArray());
    }

    /// <summary>The distance <c>val</c>: [N, 1, 1, 1] (or [N, 1, H, W] when spatial) for inputs in [−1, 1].</summary>
    public override Tensor forward(Tensor in0, Tensor in1)
    {
        using var result = Compare(in0, in1);
        return result.Distance.alias();
    }

    /// <summary>The distance per pair [N] (for a spatial network, the mean of its map).</summary>
    /// <param name="a">[N, 3, H, W] in [−1, 1], or in [0, 1] with <paramref name="normalize"/></param>
    /// <param name="b">same shape</param>
    /// <param name="normalize">the inputs are in [0, 1]</param>
    public Tensor Distance(Tensor a, Tensor b, bool normalize = false)
    {
        using var scope = torch.NewDisposeScope();
        var result = Compare(a, b, normalize);
        return result.Distance.flatten(1).mean(new long[] { 1 }).MoveToOuterDisposeScope();
    }

    /// <summary>The <c>lpips.normalize_tensor</c>: x / (sqrt(Σ_c x²) + 1e-10).</summary>
    private static Tensor UnitNormalise(Tensor f) => f / f.Power(2).sum(1, keepdim: true).sqrt().Plus(1e-10);
}
