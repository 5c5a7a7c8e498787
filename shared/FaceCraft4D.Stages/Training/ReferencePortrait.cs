using System.Numerics;
using FaceCraft4D.Contracts;
using FaceCraft4D.Stages.Preprocess;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// The reference portrait as the avatar is trained on (view 0) and evaluated against (the protocol's reference view):
/// <c>preprocess/crop-white.png</c> with the torso replaced by the white background. The avatar is a FLAME head with
/// its neck; the aligned crop also shows the shoulders and clothes under the chin (the matte keeps them), which no
/// Gaussian can reproduce — on the sample they were 85 % of the reference view's squared error and pulled the neck's
/// Gaussians toward the shirt. Rule (<see cref="RemoveTorso"/>): a pixel whose centre lies below the cut row and
/// outside the head model's silhouette from the reference camera (<c>shape-prior/mask-00.png</c>, the head, hair volume
/// and neck the avatar is built on) becomes white; the silhouette value is the blend weight, so the cut is anti-aliased.
/// The cut row is the higher of the chin (landmark 8 of <c>preprocess/landmarks.json</c>) and the lower lip (landmark
/// 57): the learned matte keeps the shoulders, and in a tight crop their tops rise above the chin beside the neck (on
/// the sample, 40 px of 512 above it), where the silhouette is the neck's and the face's. Everything above the lower lip
/// stays as photographed (the hair included, whether the head model covers it or not), so the comparison still sees the
/// avatar's silhouette errors there.
/// </summary>
public static class ReferencePortrait
{
    /// <summary>ibug-68 index of the chin tip.</summary>
    public const int ChinLandmark = 8;

    /// <summary>ibug-68 index of the lower lip's lowest point.</summary>
    public const int LowerLipLandmark = 57;

    /// <summary>The crop over white.</summary>
    public static string CropInput => StageFiles.From(PipelineStage.Preprocess, StageFiles.CropWhite);

    /// <summary>The crop's landmarks.</summary>
    public static string LandmarksInput => StageFiles.From(PipelineStage.Preprocess, StageFiles.Landmarks);

    /// <summary>The head model's silhouette from the reference camera.</summary>
    public static string SilhouetteInput => StageFiles.From(PipelineStage.ShapePrior, StageFiles.ViewMask(0));

    /// <summary>
    /// Reads the reference portrait at the crop's resolution. Without the landmarks or the silhouette among the inputs
    /// the crop is returned as it is and <see cref="ReferencePortraitImage.TorsoRemoved"/> is false.
    /// </summary>
    public static async Task<ReferencePortraitImage> ReadAsync(StageJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var crop = StageImageCodec.ReadRgb(await context.ReadRequiredAsync(CropInput).ConfigureAwait(false), CropInput);
        var inputs = context.Request.Inputs;
        if (!inputs.ContainsKey(LandmarksInput) || !inputs.ContainsKey(SilhouetteInput))
            return new ReferencePortraitImage(crop, false, 0);
        var landmarks = await context.ReadRequiredJsonAsync<LandmarksDocument>(LandmarksInput).ConfigureAwait(false);
        if (landmarks.Points.Count <= LowerLipLandmark || landmarks.Points[ChinLandmark].Length < 2
            || landmarks.Points[LowerLipLandmark].Length < 2 || landmarks.Width <= 0 || landmarks.Height <= 0)
            throw new StageInputException("input-invalid", $"{LandmarksInput} has no chin ({ChinLandmark}) or lower-lip ({LowerLipLandmark}) landmark.");
        var silhouette = StageImageCodec.ReadMask(await context.ReadRequiredAsync(SilhouetteInput).ConfigureAwait(false), SilhouetteInput);
        var (image, removed) = RemoveTorso(crop, silhouette, CutRow(landmarks, crop.Height));
        return new ReferencePortraitImage(image, true, removed);
    }

    /// <summary>
    /// The cut row in pixel units of a crop <paramref name="cropHeight"/> high (centres at +0.5): the higher of the chin
    /// and the lower lip. The landmarks must have both points (checked by <see cref="ReadAsync"/>).
    /// </summary>
    public static double CutRow(LandmarksDocument landmarks, int cropHeight)
    {
        ArgumentNullException.ThrowIfNull(landmarks);
        // Landmark coordinates in pixel units with centres at +0.5, scaled to the crop.
        double Row(int landmark) => (landmarks.Points[landmark][1] + 0.5 - landmarks.PixelCentre) * cropHeight / landmarks.Height;
        return Math.Min(Row(ChinLandmark), Row(LowerLipLandmark));
    }

    /// <summary>
    /// The rule of the type remarks. <paramref name="chinRow"/> (the cut row) is in pixel units of <paramref name="crop"/> (centres at
    /// +0.5); <paramref name="silhouette"/> may have another resolution (it is sampled bilinearly over the same field of
    /// view). Returns the new image and how many pixels were changed.
    /// </summary>
    public static (RgbImage Image, int ChangedPixels) RemoveTorso(RgbImage crop, FloatImage silhouette, double chinRow)
    {
        ArgumentNullException.ThrowIfNull(crop);
        ArgumentNullException.ThrowIfNull(silhouette);
        var result = crop.Clone();
        double sx = (double)silhouette.Width / crop.Width, sy = (double)silhouette.Height / crop.Height;
        var white = Vector3.One;
        int changed = 0;
        for (int y = 0; y < crop.Height; y++)
        {
            if (y + 0.5 <= chinRow) continue;
            for (int x = 0; x < crop.Width; x++)
            {
                float inside = Math.Clamp(silhouette.SampleBilinear((x + 0.5) * sx, (y + 0.5) * sy), 0f, 1f);
                if (inside >= 1f) continue;
                var c = crop[x, y];
                result[x, y] = white + (c - white) * inside;
                if (c != white) changed++;
            }
        }
        return (result, changed);
    }
}

/// <summary>The reference portrait (<see cref="ReferencePortrait"/>).</summary>
/// <param name="Image">RGB over white at the crop's resolution.</param>
/// <param name="TorsoRemoved">Whether the torso rule ran (landmarks and silhouette were inputs).</param>
/// <param name="ChangedPixels">Pixels the rule changed.</param>
public sealed record ReferencePortraitImage(RgbImage Image, bool TorsoRemoved, int ChangedPixels);
