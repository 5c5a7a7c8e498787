using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Priors.LivePortrait;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.LivePortrait;

/// <summary><c>AppearanceFeatureExtractor(**config)(source_image) → f_s</c> [B, reshape_channel, reshape_depth, H/2^n, W/2^n].</summary>
public sealed class AppearanceFeatureExtractorParityModule : IParityModule
{
    public string Module => "liveportrait.appearance_feature_extractor";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = LivePortraitKwargs.AppearanceFeatureExtractor(new UpstreamKwargs(parityCase.Config, "AppearanceFeatureExtractor"));
        using var network = await LivePortraitParityNetwork.LoadAsync(new AppearanceFeatureExtractor(config, CPU), parityCase, cancellationToken);
        using var noGrad = torch.no_grad();
        using var image = LivePortraitParityNetwork.Input(parityCase, "source_image");
        return new Dictionary<string, Tensor> { ["out.f_s"] = network.forward(image) };
    }
}
