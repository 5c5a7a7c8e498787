using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Priors.LivePortrait;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.LivePortrait;

/// <summary>
/// <c>SPADEDecoder(**config)(feature) → out</c>, the sigmoid image. The spectral-norm convs use the stored
/// <c>weight_u</c>/<c>weight_v</c> as eval does (no power iteration).
/// </summary>
public sealed class SpadeGeneratorParityModule : IParityModule
{
    public string Module => "liveportrait.spade_generator";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = LivePortraitKwargs.SpadeDecoder(new UpstreamKwargs(parityCase.Config, "SPADEDecoder"));
        using var network = await LivePortraitParityNetwork.LoadAsync(new SpadeGenerator(config, CPU), parityCase, cancellationToken);
        using var noGrad = torch.no_grad();
        using var feature = LivePortraitParityNetwork.Input(parityCase, "feature");
        return new Dictionary<string, Tensor> { ["out.out"] = network.forward(feature) };
    }
}
