using FaceCraft4D.Vision.Preprocessing.Alignment;
using FaceCraft4D.Vision.Preprocessing.Camera;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Vision.Preprocessing.Matting;
using FaceCraft4D.Vision.SuperResolution;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceCraft4D.Vision.Preprocessing;

/// <summary>
/// Stage 1: detect (largest face wins), landmarks, similarity alignment to the centred crop, head pose,
/// matting, white background. Backends are injected (see <see cref="PortraitPreprocessorFactory"/>).
/// </summary>
public sealed class PortraitPreprocessor : IPortraitPreprocessor
{
    private static readonly int[] RotationsToTry = { 0, 90, 270, 180 };
    private readonly IFaceDetector detector;
    private readonly ILandmarkDetector landmarker;
    private readonly IForegroundMatting matting;
    private readonly IReadOnlyList<IDisposable> owned;
    private readonly FaceMeshLandmarker? denseLandmarker;
    private readonly string? denseUnavailableReason;
    private readonly CropSuperResolver? superResolver;

    /// <param name="denseLandmarker">optional FaceMesh stage; null: only the 68 landmarks</param>
    /// <param name="denseUnavailableReason">why there is no FaceMesh stage (e.g. its model is missing); reported as a warning</param>
    /// <param name="superResolver">Super-resolves the photo where the crop enlarges it; null: bilinear resampling only.</param>
    public PortraitPreprocessor(IFaceDetector detector, ILandmarkDetector landmarker, IForegroundMatting matting, IReadOnlyList<IDisposable>? owned = null,
        FaceMeshLandmarker? denseLandmarker = null, string? denseUnavailableReason = null, CropSuperResolver? superResolver = null)
    {
        this.detector = detector; this.landmarker = landmarker; this.matting = matting;
        this.owned = owned ?? Array.Empty<IDisposable>();
        this.denseLandmarker = denseLandmarker; this.denseUnavailableReason = denseUnavailableReason;
        this.superResolver = superResolver;
    }

    public Task<PreprocessResult> PreprocessAsync(Image photo, PreprocessOptions options, CancellationToken ct)
    {
        if (photo is Image<Rgb24> rgb) return PreprocessAsync(rgb, options, ct);
        using var converted = photo.CloneAs<Rgb24>(); // L8 / La16 replicate the grey channel
        return PreprocessAsync(converted, options, ct);
    }

    public async Task<PreprocessResult> PreprocessAsync(Image<Rgb24> photo, PreprocessOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentNullException.ThrowIfNull(options);
        if (photo.Width < 16 || photo.Height < 16)
            throw new PreprocessException(PreprocessFailureReason.InvalidImage, $"The image is {photo.Width}x{photo.Height} pixels; at least 16x16 is needed.");
        var warnings = new List<string>();
        var source = RgbImageBuffer.FromImage(photo);
        if (options.ApplyExifOrientation && ExifOrientationOf(photo) is { } orientation and not 1)
        {
            using var upright = photo.Clone(c => c.AutoOrient());
            source = RgbImageBuffer.FromImage(upright);
            warnings.Add($"The photo's EXIF orientation ({orientation}) was applied before processing; PhotoToCrop refers to the upright photo.");
        }
        if (source.IsGrayscale()) warnings.Add("The photo is grayscale; its channel was replicated to RGB, so the avatar will be colourless.");

        var found = await FindFaceAsync(source, options, warnings, ct).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();

        var aligner = new FaceAligner(options.Alignment);
        var rotatedToCrop = aligner.Estimate(found.Landmarks);
        var photoToCrop = rotatedToCrop.After(QuarterTurn.Map(found.RotationDegrees, source.Width, source.Height));
        int size = options.Alignment.CropSize;
        var (crop, superResolution) = superResolver is null
            ? (AffineWarper.Warp(source, photoToCrop.Inverse(), size, size, options.Alignment.Border), CropSuperResolver.NoneBackend)
            : await superResolver.WarpAsync(source, photoToCrop, size, options.Alignment.Border, ct).ConfigureAwait(false);
        var cropLandmarks = found.Landmarks.Transform((x, y) => rotatedToCrop.Apply(x, y));

        var camera = new HeadPoseEstimator(options.Camera).Estimate(cropLandmarks, size, size);
        if (Math.Abs(camera.YawDegrees) > options.MaxYawDegrees || Math.Abs(camera.PitchDegrees) > options.MaxPitchDegrees)
            throw new PreprocessException(PreprocessFailureReason.ExtremeRotation,
                $"The head is turned too far from the camera (yaw {camera.YawDegrees:F0} deg, pitch {camera.PitchDegrees:F0} deg; " +
                $"limits +-{options.MaxYawDegrees:F0} and +-{options.MaxPitchDegrees:F0}). Use a photo facing the camera.");

        var (dense, denseMs) = DenseLandmarks(source, found, rotatedToCrop, options, warnings, ct);

        ct.ThrowIfCancellationRequested();
        var matte = await matting.MatteAsync(crop, cropLandmarks, ct).ConfigureAwait(false);
        var white = Composite.OverWhite(crop, matte.Alpha);

        return new PreprocessResult
        {
            AlignedCrop = crop.ToImage(),
            WhiteBackgroundCrop = white.ToImage(),
            Mask = Composite.ToMaskImage(matte),
            Landmarks = cropLandmarks.ToArray(),
            Camera = camera,
            FaceBoxInPhoto = found.BoxInPhoto,
            DetectionScore = found.Score,
            FacesDetected = found.FaceCount,
            PhotoToCrop = photoToCrop,
            PhotoRotationDegrees = found.RotationDegrees,
            DetectorBackend = detector.BackendName,
            LandmarkBackend = landmarker.BackendName,
            MattingBackend = matte.Backend,
            CameraBackend = camera.Backend,
            SuperResolutionBackend = superResolution,
            Warnings = warnings,
            DenseLandmarks = dense,
            DenseLandmarkBackend = dense?.Backend ?? "none",
            DenseLandmarkMilliseconds = denseMs,
        };
    }

    /// <summary>FaceMesh on the (quarter-turned) photo around the found face, mapped into the crop; null with a warning when unavailable.</summary>
    private (DenseFaceLandmarks? Dense, double Milliseconds) DenseLandmarks(RgbImageBuffer source, FoundFace found, SimilarityMap rotatedToCrop,
        PreprocessOptions options, List<string> warnings, CancellationToken ct)
    {
        if (denseLandmarker is null)
        {
            if (denseUnavailableReason is not null)
                warnings.Add($"Dense landmarks unavailable ({denseUnavailableReason}); the 68 landmarks are used.");
            return (null, 0);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var image = found.RotationDegrees == 0 ? source : QuarterTurn.Rotate(source, found.RotationDegrees);
        var inImage = denseLandmarker.Detect(image, found.Landmarks, ct);
        double ms = clock.Elapsed.TotalMilliseconds;
        if (inImage.FaceScore < options.FaceMesh.MinFaceScore)
        {
            warnings.Add($"FaceMesh ({inImage.Backend}) scored the face {inImage.FaceScore:F2} (< {options.FaceMesh.MinFaceScore:F2}); its dense landmarks were dropped and the 68 landmarks are used.");
            return (null, ms);
        }
        return (inImage.Transform(rotatedToCrop), ms);
    }

    private sealed record FoundFace(FaceLandmarks68 Landmarks, int RotationDegrees, FaceBox BoxInPhoto, double Score, int FaceCount);

    private async Task<FoundFace> FindFaceAsync(RgbImageBuffer source, PreprocessOptions options, List<string> warnings, CancellationToken ct)
    {
        double worstRoll = double.NaN;
        foreach (int rotation in options.TryRotations ? RotationsToTry : new[] { 0 })
        {
            ct.ThrowIfCancellationRequested();
            var image = QuarterTurn.Rotate(source, rotation);
            var faces = await detector.DetectAsync(image, ct).ConfigureAwait(false);
            if (faces.Count == 0) continue;
            var best = faces.OrderByDescending(f => f.Box.Area).First();
            var toOriginal = QuarterTurn.Map(rotation, source.Width, source.Height).Inverse();
            var boxInPhoto = MapBox(best.Box, toOriginal);
            if (best.Box.Size < options.MinFaceSizePixels)
                throw new PreprocessException(PreprocessFailureReason.FaceTooSmall,
                    $"The face is only {best.Box.Size:F0} pixels across; at least {options.MinFaceSizePixels} are needed. Use a closer or larger photo.");
            var landmarks = await landmarker.DetectAsync(image, best.Box, ct).ConfigureAwait(false);
            double roll = EyeLineTiltDegrees(landmarks);
            if (Math.Abs(roll) > options.MaxRollDegrees)
            {
                if (double.IsNaN(worstRoll) || Math.Abs(roll) < Math.Abs(worstRoll)) worstRoll = roll;
                continue;
            }
            if (faces.Count > 1)
                warnings.Add($"{faces.Count} faces were detected; the largest ({best.Box.Width:F0}x{best.Box.Height:F0} px) was used.");
            if (rotation != 0)
                warnings.Add($"No upright face was found; the photo was turned {rotation} degrees clockwise to find one.");
            return new FoundFace(landmarks, rotation, boxInPhoto, best.Score, faces.Count);
        }
        if (!double.IsNaN(worstRoll))
            throw new PreprocessException(PreprocessFailureReason.ExtremeRotation,
                $"The face is tilted {worstRoll:F0} degrees in the picture (limit +-{options.MaxRollDegrees:F0}). Rotate the photo upright.");
        throw new PreprocessException(PreprocessFailureReason.NoFace,
            options.TryRotations
                ? "No face was found in the photo (also tried it turned by 90, 180 and 270 degrees)."
                : "No face was found in the photo.");
    }

    private static ushort? ExifOrientationOf(Image photo)
    {
        var exif = photo.Metadata.ExifProfile;
        if (exif is null) return null;
        var tag = exif.GetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.Orientation);
        return tag?.Value;
    }

    /// <summary>Tilt of the eye line (right eye centre to left eye centre), degrees, clockwise positive.</summary>
    public static double EyeLineTiltDegrees(FaceLandmarks68 lm)
    {
        var (rx, ry) = lm.RightEyeCentre; var (lx, ly) = lm.LeftEyeCentre;
        return Math.Atan2(ly - ry, lx - rx) * 180.0 / Math.PI;
    }

    private static FaceBox MapBox(FaceBox b, SimilarityMap m)
    {
        var corners = new[] { m.Apply(b.X, b.Y), m.Apply(b.Right, b.Y), m.Apply(b.X, b.Bottom), m.Apply(b.Right, b.Bottom) };
        double x0 = corners.Min(c => c.X), y0 = corners.Min(c => c.Y), x1 = corners.Max(c => c.X), y1 = corners.Max(c => c.Y);
        return new FaceBox(x0, y0, x1 - x0, y1 - y0);
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
    }
}
