using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Alignment;
using FaceCraft4D.Vision.ShapePrior;
using SixLabors.ImageSharp;

namespace FaceCraft4D.Stages.Preprocess;

/// <summary>
/// Stage 1 "Preprocess" (paper supp. 6.1): decodes <c>input/portrait</c>, runs the worker's
/// <see cref="IPortraitPreprocessor"/> at the run's crop size and writes the crop, the crop over white, the mask,
/// the landmarks, the crop camera and a report. Photos that cannot work fail with <see cref="StageInputException"/>
/// (<c>invalid-image</c>, <c>no-face</c>, <c>face-too-small</c>, <c>extreme-rotation</c>).
/// </summary>
public sealed class PreprocessStageHandler(PortraitPreprocessorProvider provider) : IStageHandler
{
    /// <summary>Backend name of the face screening (detection only, before any matting).</summary>
    public const string BackendName = "face-api.js";

    /// <summary>Stage backend of a run: the face-api.js detector/landmarks and the matting that ran (its short label).</summary>
    public static string StageBackend(string mattingLabel) => $"{BackendName}+{mattingLabel}";

    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.Preprocess;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends { get; } =
        [StageBackend(Vision.Preprocessing.Matting.SelfieMatting.Label), StageBackend(Vision.Preprocessing.Matting.GrabCutMatting.Label)];

    /// <summary>
    /// 2: the selfie matte's uncertain pixels away from the face are decided by colour (<c>UncertainBandRefinement</c>).
    /// With <c>MattingSettings:Selfie:Refinement:Enabled</c> false the output is version 1's, and the version says so:
    /// a checkpoint made with the switch in one position is never reused with it in the other.
    /// </summary>
    public int ImplementationVersion => provider.Options.MattingSettings.Selfie.Refinement.Enabled ? 2 : 1;

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths =>
        new[] { provider.Options.FaceModelsPath, provider.Options.SuperResolution.ModelsPath, provider.Options.MattingSettings.Selfie.ModelsPath, provider.Options.FaceMesh.ModelsPath }
            .OfType<string>().ToArray();

    /// <inheritdoc />
    public async Task<StageResult> ExecuteAsync(StageJobContext context)
    {
        var ct = context.CancellationToken;
        var settings = context.Request.Settings;
        var bytes = await context.ReadRequiredAsync(StageFiles.PortraitInput).ConfigureAwait(false);
        context.Progress.Report(new JobProgress(0, 3, "decoding"));
        using var photo = Decode(bytes);
        var preprocessor = await provider.GetAsync(ct).ConfigureAwait(false);
        context.Progress.Report(new JobProgress(1, 3, "detecting, aligning, matting"));
        var options = ForCropSize(provider.Options, settings.CropSize);
        PreprocessResult result;
        try
        {
            result = await preprocessor.PreprocessAsync(photo, options, ct).ConfigureAwait(false);
        }
        catch (PreprocessException e) when (e.IsUserError)
        {
            throw new StageInputException(e.Code.Replace('_', '-'), e.Message, e);
        }
        catch (PreprocessException e)
        {
            throw new BackendUnavailableException($"Preprocessing cannot run in this worker: {e.Message}");
        }

        using (result)
        {
            context.Progress.Report(new JobProgress(2, 3, "writing"));
            var size = result.AlignedCrop.Width;
            var camera = result.Camera;
            var landmarks = Enumerable.Range(0, 68)
                .Select(i => new[] { result.Landmarks[2 * i] + 0.5f, result.Landmarks[2 * i + 1] + 0.5f })
                .ToArray();
            // The PnP pose of the generic face (origin at its nose tip, +y up, +z toward the camera, metres) as a camera.
            var pose = new HeadPose(
                HeadPose.RotationFromAngles(Rad(camera.YawDegrees), Rad(camera.PitchDegrees), Rad(camera.RollDegrees)),
                [camera.TranslationX / 1000, camera.TranslationY / 1000, camera.TranslationZ / 1000]);
            var cameraSet = new CameraSet([
                new Camera(CameraIntrinsics.FromVerticalFov(size, size, camera.FovDegrees), pose.ToExtrinsics(), "reference"),
            ]);
            var report = new PreprocessReport(
                size, result.FacesDetected, result.DetectionScore,
                [result.FaceBoxInPhoto.X, result.FaceBoxInPhoto.Y, result.FaceBoxInPhoto.Width, result.FaceBoxInPhoto.Height],
                result.PhotoRotationDegrees, camera.YawDegrees, camera.PitchDegrees, camera.RollDegrees, camera.FovDegrees,
                camera.ReprojectionRmsPixels, [camera.TranslationX / 1000, camera.TranslationY / 1000, camera.TranslationZ / 1000],
                new Dictionary<string, string>
                {
                    ["detector"] = result.DetectorBackend,
                    ["landmarks"] = result.LandmarkBackend,
                    ["matting"] = result.MattingBackend,
                    ["camera"] = result.CameraBackend,
                    ["dense-landmarks"] = result.DenseLandmarkBackend,
                    ["super_resolution"] = result.SuperResolutionBackend,
                },
                result.Warnings);

            var outputs = new Dictionary<string, BlobRef>
            {
                [StageFiles.Crop] = await context.WriteOutputAsync(StageFiles.Crop, StageImageCodec.Encode(result.AlignedCrop), StageImageCodec.PngContentType).ConfigureAwait(false),
                [StageFiles.CropWhite] = await context.WriteOutputAsync(StageFiles.CropWhite, StageImageCodec.Encode(result.WhiteBackgroundCrop), StageImageCodec.PngContentType).ConfigureAwait(false),
                [StageFiles.Mask] = await context.WriteOutputAsync(StageFiles.Mask, StageImageCodec.Encode(result.Mask), StageImageCodec.PngContentType).ConfigureAwait(false),
                [StageFiles.Landmarks] = await context.WriteJsonOutputAsync(StageFiles.Landmarks, new LandmarksDocument(size, size, 0.5, "ibug-68", landmarks)).ConfigureAwait(false),
                [StageFiles.Camera] = await context.WriteOutputAsync(StageFiles.Camera, BinaryData.FromString(cameraSet.ToJson()), "application/json").ConfigureAwait(false),
                [StageFiles.PreprocessReport] = await context.WriteJsonOutputAsync(StageFiles.PreprocessReport, report).ConfigureAwait(false),
            };
            if (result.DenseLandmarks is { } dense)
            {
                var xyz = dense.ToArray();
                var points = Enumerable.Range(0, dense.Count).Select(i => new[] { xyz[3 * i] + 0.5f, xyz[3 * i + 1] + 0.5f, xyz[3 * i + 2] }).ToArray();
                outputs[StageFiles.DenseLandmarks] = await context.WriteJsonOutputAsync(StageFiles.DenseLandmarks,
                    new DenseLandmarksDocument(size, size, 0.5, $"mediapipe-facemesh-{dense.Count}", dense.Backend, dense.FaceScore, points)).ConfigureAwait(false);
            }
            context.Progress.Report(new JobProgress(3, 3, "done"));
            var metrics = new Dictionary<string, double>
            {
                ["detection_score"] = result.DetectionScore,
                ["yaw_deg"] = camera.YawDegrees,
                ["pitch_deg"] = camera.PitchDegrees,
                ["roll_deg"] = camera.RollDegrees,
                ["dense_landmark_ms"] = result.DenseLandmarkMilliseconds,
            };
            return new StageResult(outputs, StageBackend(result.MattingBackend), context.WorkerVersion, metrics, result.Warnings);
        }
    }

    private static Image Decode(BinaryData bytes)
    {
        try
        {
            return Image.Load(bytes.ToArray());
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new StageInputException("invalid-image", $"The portrait is not a readable image: {e.Message}", e);
        }
    }

    /// <summary>A copy of the configured options with the run's crop size.</summary>
    public static PreprocessOptions ForCropSize(PreprocessOptions o, int cropSize) => new()
    {
        FaceModelsPath = o.FaceModelsPath,
        Detector = o.Detector,
        Landmarks = o.Landmarks,
        Matting = o.Matting,
        Device = o.Device,
        TinyFaceDetector = o.TinyFaceDetector,
        MinFaceSizePixels = o.MinFaceSizePixels,
        TryRotations = o.TryRotations,
        ApplyExifOrientation = o.ApplyExifOrientation,
        MaxRollDegrees = o.MaxRollDegrees,
        MaxYawDegrees = o.MaxYawDegrees,
        MaxPitchDegrees = o.MaxPitchDegrees,
        Alignment = new AlignmentOptions
        {
            CropSize = cropSize,
            EyeDistanceFraction = o.Alignment.EyeDistanceFraction,
            EyeLineYFraction = o.Alignment.EyeLineYFraction,
            MouthYFraction = o.Alignment.MouthYFraction,
            Border = o.Alignment.Border,
        },
        Camera = o.Camera,
        MattingSettings = o.MattingSettings,
    };

    private static double Rad(double degrees) => degrees * Math.PI / 180;
}
