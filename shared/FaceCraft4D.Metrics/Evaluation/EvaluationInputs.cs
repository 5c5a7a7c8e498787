using FaceCraft4D.Metrics.Protocol;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Metrics.Evaluation;

/// <summary>What the metrics compare renders against.</summary>
/// <param name="RunId">The run evaluated.</param>
/// <param name="Reference">The input portrait as the avatar should reproduce it from <paramref name="ReferenceCamera"/>
/// (the preprocessed aligned crop, normally over white to match the avatar's white background); resized to the
/// protocol's image size when it differs.</param>
/// <param name="ReferenceCamera">The camera of the reference view, e.g. <see cref="CameraSpec.FromHeadPose"/> with the
/// preprocessing stage's estimated head pose.</param>
/// <param name="GroundTruthViews">Optional images of other protocol views by view name (e.g. real multi-view captures
/// of an evaluation set): those views also get PSNR / SSIM / MS-SSIM / LPIPS.</param>
/// <param name="FidReferenceImages">Optional reference set for FID; default: the reference image plus the ground-truth views.</param>
/// <param name="Clips">Driving clips; default: the protocol's built-in clips.</param>
public sealed record EvaluationInputs(
    string RunId,
    Image<Rgb24> Reference,
    CameraSpec ReferenceCamera,
    IReadOnlyDictionary<string, Image<Rgb24>>? GroundTruthViews = null,
    IReadOnlyList<Image<Rgb24>>? FidReferenceImages = null,
    IReadOnlyList<AnimationClip>? Clips = null);
