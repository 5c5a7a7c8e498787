using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Priors.LivePortrait;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.LivePortrait;

/// <summary><c>MotionExtractor(**config)(image)</c>: the raw head outputs (no softmax, no head-pose post-processing).</summary>
public sealed class MotionExtractorParityModule : IParityModule
{
    public string Module => "liveportrait.motion_extractor";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var config = LivePortraitKwargs.MotionExtractor(new UpstreamKwargs(parityCase.Config, "MotionExtractor"));
        using var network = await LivePortraitParityNetwork.LoadAsync(new MotionExtractor(config, CPU), parityCase, cancellationToken);
        using var noGrad = torch.no_grad();
        using var image = LivePortraitParityNetwork.Input(parityCase, "image");
        var o = network.forward(image); // the tensors are handed to the caller, which disposes them
        return new Dictionary<string, Tensor>
        {
            ["out.pitch"] = o.Pitch,
            ["out.yaw"] = o.Yaw,
            ["out.roll"] = o.Roll,
            ["out.t"] = o.Translation,
            ["out.exp"] = o.Expression,
            ["out.scale"] = o.Scale,
            ["out.kp"] = o.Keypoints,
        };
    }
}
