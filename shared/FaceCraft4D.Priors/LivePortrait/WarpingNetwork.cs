using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>
/// LivePortrait warping module W (<c>warping_module.pth</c>; keys <c>dense_motion_network.*</c>, <c>third</c>,
/// <c>fourth</c>): warps the appearance volume with the dense motion between source and driving keypoints,
/// flattens depth into channels and applies the occlusion map. [B, 32, 16, 64, 64] → [B, 256, 64, 64].
/// </summary>
public sealed class WarpingNetwork : nn.Module
{
    private readonly DenseMotionNetwork dense_motion_network;
    private readonly SameBlock2d third;
    private readonly Conv2d fourth;
    private readonly bool _useOcclusionMap;

    public WarpingNetwork(WarpingModuleConfig config, Device? device = null) : base(nameof(WarpingNetwork))
    {
        dense_motion_network = new DenseMotionNetwork(config.DenseMotionParams, config.NumKp, config.ReshapeChannel, config.EstimateOcclusionMap, device);
        long width = (long)config.BlockExpansion << config.NumDownBlocks;
        third = new SameBlock2d(config.MaxFeatures, width, leakyRelu: true, device);
        fourth = nn.Conv2d(width, width, 1, device: device);
        _useOcclusionMap = config.UseOcclusionMap;
        register_module(nameof(dense_motion_network), dense_motion_network);
        register_module(nameof(third), third);
        register_module(nameof(fourth), fourth);
    }

    /// <param name="feature">[B, C, D, H, W] source appearance volume.</param>
    /// <param name="kpDriving">[B, K, 3] driven keypoints.</param>
    /// <param name="kpSource">[B, K, 3] source keypoints.</param>
    /// <returns>[B, 256, H, W] warped 2D features.</returns>
    public Tensor Forward(Tensor feature, Tensor kpDriving, Tensor kpSource)
    {
        using var result = Warp(feature, kpDriving, kpSource);
        return result.Output.alias();
    }

    /// <summary>The full upstream forward (same argument order): warped features, occlusion map and deformation.</summary>
    /// <param name="feature">[B, C, D, H, W] source appearance volume.</param>
    /// <param name="kpDriving">[B, K, 3] driven keypoints.</param>
    /// <param name="kpSource">[B, K, 3] source keypoints.</param>
    public WarpingOutput Warp(Tensor feature, Tensor kpDriving, Tensor kpSource)
    {
        using var scope = NewDisposeScope();
        var motion = dense_motion_network.Forward(feature, kpDriving, kpSource);
        var warped = nn.functional.grid_sample(feature, motion.Deformation, align_corners: false);
        long b = warped.shape[0], c = warped.shape[1], d = warped.shape[2], h = warped.shape[3], w = warped.shape[4];
        var output = fourth.forward(third.forward(warped.view(b, c * d, h, w)));
        if (_useOcclusionMap && motion.Occlusion is not null) output = output * motion.Occlusion;
        return new WarpingOutput(output.MoveToOuterDisposeScope(), motion.Occlusion?.MoveToOuterDisposeScope(),
            motion.Deformation.MoveToOuterDisposeScope());
    }
}
