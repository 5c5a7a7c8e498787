using FaceCraft4D.Stages.Animation;
using FaceCraft4D.Stages.ImagePrior;
using FaceCraft4D.Stages.ShapePrior;

namespace FaceCraft4D.Stages.Models.Tiny;

/// <summary>
/// A models folder (<c>Fc4d:Models:LocalPath</c>) with tiny seeded random weights for all three weighted backends, each
/// at the folder its stage option looks at by default and in its official layout, so the production loaders load them
/// strictly: <c>panohead/v1/</c> (<see cref="TinyPanoHeadFolder"/>), <c>diffusion/cosmicman/v1/</c>
/// (<see cref="TinyDiffusionFolder"/>), <c>liveportrait/v1/</c> (<see cref="TinyLivePortraitFolder"/>), and the one LPIPS file
/// the PanoHead inversion needs (<see cref="TinyLpipsFile"/>). The outputs are
/// meaningless pictures; the folder exists to run the paper's pipeline end to end (wiring, files, cost shape) without
/// the operator's checkpoints. About 60 MB, nearly all of it the (fixed-size) LPIPS VGG-16.
/// </summary>
public static class TinyModelFolder
{
    /// <summary>Worker configuration that fits the tiny networks (flat keys, <c>:</c>-separated): LivePortrait input side,
    /// few PanoHead inversion and pivotal-tuning steps.</summary>
    public static IReadOnlyDictionary<string, string> WorkerSettings { get; } = new Dictionary<string, string>
    {
        [$"{AnimationStageOptions.SectionName}:{nameof(AnimationStageOptions.LivePortraitInputSize)}"] = "64",
        [$"{ShapePriorStageOptions.SectionName}:PanoHead:Inversion:LatentSteps"] = "6",
        [$"{ShapePriorStageOptions.SectionName}:PanoHead:Inversion:PivotalSteps"] = "4",
        [$"{ShapePriorStageOptions.SectionName}:PanoHead:Inversion:WAverageSamples"] = "64",
    };

    /// <summary>Writes the three model folders and the LPIPS file under <paramref name="modelsRoot"/>; returns their relative paths.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(string modelsRoot, long seed = 1, CancellationToken cancellationToken = default)
    {
        var shape = new ShapePriorStageOptions().PanoHeadPath;
        var image = new DiffusionViewEnhancerOptions().Folder;
        var video = new AnimationStageOptions().LivePortraitPath;
        var lpips = new ShapePriorStageOptions().LpipsWeightsPath;
        await TinyPanoHeadFolder.WriteAsync(Local(modelsRoot, shape), seed, cancellationToken).ConfigureAwait(false);
        await TinyLpipsFile.WriteAsync(Local(modelsRoot, lpips), seed + 1, cancellationToken).ConfigureAwait(false);
        await TinyDiffusionFolder.WriteAsync(Local(modelsRoot, image), seed + 10, cancellationToken).ConfigureAwait(false);
        await TinyLivePortraitFolder.WriteAsync(Local(modelsRoot, video), seed + 20, cancellationToken).ConfigureAwait(false);
        return [shape, lpips, image, video];
    }

    private static string Local(string root, string relative) => Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
}
