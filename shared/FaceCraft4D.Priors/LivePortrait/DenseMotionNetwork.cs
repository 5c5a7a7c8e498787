using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>Dense motion: backward deformation grid [B, D, H, W, 3] and occlusion map [B, 1, H, W] (null without occlusion head).</summary>
public sealed record DenseMotion(Tensor Deformation, Tensor? Occlusion) : IDisposable
{
    public void Dispose()
    {
        Deformation.Dispose();
        Occlusion?.Dispose();
    }
}

/// <summary>
/// LivePortrait <c>DenseMotionNetwork</c> (keys <c>hourglass.*</c>, <c>mask</c>, <c>compress</c>, <c>norm</c>,
/// <c>occlusion</c>): compresses the feature volume, warps it by each keypoint's sparse motion (plus identity),
/// feeds heatmap differences and warped features to a 3D hourglass, and mixes the K+1 motions with a softmax mask.
/// </summary>
public sealed class DenseMotionNetwork : nn.Module
{
    private readonly Hourglass hourglass;
    private readonly Conv3d mask;
    private readonly Conv3d compress;
    private readonly BatchNorm3d norm;
    private readonly Conv2d? occlusion;
    private readonly int _numKp;

    public DenseMotionNetwork(DenseMotionConfig config, int numKp, int featureChannel, bool estimateOcclusionMap, Device? device = null)
        : base(nameof(DenseMotionNetwork))
    {
        _numKp = numKp;
        hourglass = new Hourglass(config.BlockExpansion, (numKp + 1) * (config.Compress + 1), config.NumBlocks, config.MaxFeatures, device);
        mask = nn.Conv3d(hourglass.OutFilters, numKp + 1, 7, padding: 3, device: device);
        compress = nn.Conv3d(featureChannel, config.Compress, 1, device: device);
        norm = nn.BatchNorm3d(config.Compress, device: device);
        register_module(nameof(hourglass), hourglass);
        register_module(nameof(mask), mask);
        register_module(nameof(compress), compress);
        register_module(nameof(norm), norm);
        if (estimateOcclusionMap)
        {
            occlusion = nn.Conv2d((long)hourglass.OutFilters * config.ReshapeDepth, 1, 7, padding: 3, device: device);
            register_module(nameof(occlusion), occlusion);
        }
    }

    /// <param name="feature">[B, C, D, H, W] appearance volume.</param>
    /// <param name="kpDriving">[B, K, 3]</param>
    /// <param name="kpSource">[B, K, 3]</param>
    public DenseMotion Forward(Tensor feature, Tensor kpDriving, Tensor kpSource)
    {
        using var scope = NewDisposeScope();
        long b = feature.shape[0], d = feature.shape[2], h = feature.shape[3], w = feature.shape[4];
        int k = _numKp;
        var compressed = nn.functional.relu(norm.InferenceForward(ChannelAlignedConvolution.Forward(compress, feature)));
        long c = compressed.shape[1];

        // Sparse motions: identity, and for each keypoint grid − kp_d + kp_s. [B, K+1, D, H, W, 3]
        var identity = KeypointGrid.CoordinateGrid(d, h, w, feature.dtype, feature.device).view(1, 1, d, h, w, 3);
        var perKp = (identity - kpDriving.view(b, k, 1, 1, 1, 3)).Plus(kpSource.view(b, k, 1, 1, 1, 3));
        var sparse = torch.cat([identity.expand(b, 1, d, h, w, 3), perKp], 1);

        // Features warped by each sparse motion. [B, K+1, C, D, H, W]
        var repeated = compressed.unsqueeze(1).expand(b, k + 1, c, d, h, w).reshape(b * (k + 1), c, d, h, w);
        var deformed = nn.functional.grid_sample(repeated, sparse.reshape(b * (k + 1), d, h, w, 3), align_corners: false)
            .view(b, k + 1, c, d, h, w);

        // Heatmap differences with a zero background channel. [B, K+1, 1, D, H, W]
        var heat = KeypointGrid.Gaussians(kpDriving, d, h, w, 0.01) - KeypointGrid.Gaussians(kpSource, d, h, w, 0.01);
        heat = torch.cat([torch.zeros([b, 1, d, h, w], heat.dtype, heat.device), heat], 1).unsqueeze(2);

        var input = torch.cat([heat, deformed], 2).view(b, -1, d, h, w);
        var prediction = hourglass.forward(input);
        var weights = nn.functional.softmax(ChannelAlignedConvolution.Forward(mask, prediction), 1).unsqueeze(2);
        var deformation = (sparse.permute(0, 1, 5, 2, 3, 4) * weights).sum([1]).permute(0, 2, 3, 4, 1);
        Tensor? occ = null;
        if (occlusion is not null)
            occ = torch.sigmoid(ChannelAlignedConvolution.Forward(occlusion, prediction.reshape(b, -1, h, w))).MoveToOuterDisposeScope();
        return new DenseMotion(deformation.MoveToOuterDisposeScope(), occ);
    }
}
