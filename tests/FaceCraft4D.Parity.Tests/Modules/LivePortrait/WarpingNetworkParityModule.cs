using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Priors.LivePortrait;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.LivePortrait;

/// <summary>
/// <c>WarpingNetwork(**config)(feature_3d, kp_driving=kp_driving, kp_source=kp_source)</c> (upstream positional order is
/// feature, driving, source) → <c>out</c>, <c>occlusion_map</c> (when estimated) and <c>deformation</c>.
/// </summary>
public sealed class WarpingNetworkParityModule : IParityModule
{
    public string Module => "liveportrait.warping_network";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = LivePortraitKwargs.WarpingNetwork(new UpstreamKwargs(parityCase.Config, "WarpingNetwork"));
        using var network = await LivePortraitParityNetwork.LoadAsync(new WarpingNetwork(config, CPU), parityCase, cancellationToken);
        using var noGrad = torch.no_grad();
        using var feature = LivePortraitParityNetwork.Input(parityCase, "feature_3d");
        using var kpSource = LivePortraitParityNetwork.Input(parityCase, "kp_source");
        using var kpDriving = LivePortraitParityNetwork.Input(parityCase, "kp_driving");
        var result = network.Warp(feature, kpDriving: kpDriving, kpSource: kpSource); // handed to the caller
        var outputs = new Dictionary<string, Tensor> { ["out.out"] = result.Output, ["out.deformation"] = result.Deformation };
        if (result.OcclusionMap is not null) outputs["out.occlusion_map"] = result.OcclusionMap;
        return outputs;
    }
}
