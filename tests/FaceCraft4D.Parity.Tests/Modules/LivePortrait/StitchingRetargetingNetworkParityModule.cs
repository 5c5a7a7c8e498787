using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Priors.LivePortrait;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.LivePortrait;

/// <summary><c>StitchingRetargetingNetwork(**config)(x) → out</c>; the weights are one MLP's bare <c>mlp.N.*</c> keys.</summary>
public sealed class StitchingRetargetingNetworkParityModule : IParityModule
{
    public string Module => "liveportrait.stitching_retargeting_network";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = LivePortraitKwargs.StitchingRetargetingNetwork(new UpstreamKwargs(parityCase.Config, "StitchingRetargetingNetwork"));
        using var network = await LivePortraitParityNetwork.LoadAsync(new StitchingRetargetingNetwork(config, CPU), parityCase, cancellationToken);
        using var noGrad = torch.no_grad();
        using var x = LivePortraitParityNetwork.Input(parityCase, "x");
        return new Dictionary<string, Tensor> { ["out.out"] = network.forward(x) };
    }
}
