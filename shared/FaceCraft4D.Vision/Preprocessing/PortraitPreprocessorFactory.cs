using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Vision.Preprocessing.Matting;
using FaceCraft4D.Vision.SuperResolution;
using TorchSharp;

namespace FaceCraft4D.Vision.Preprocessing;

/// <summary>Builds a <see cref="PortraitPreprocessor"/> with the backends named in <see cref="PreprocessOptions"/>.</summary>
public static class PortraitPreprocessorFactory
{
    /// <exception cref="PreprocessException">ModelsMissing when the face-api.js weights cannot be found.</exception>
    public static async Task<IPortraitPreprocessor> CreateAsync(PreprocessOptions options, CancellationToken ct)
    {
        var folder = FaceModelLocator.Resolve(options.FaceModelsPath);
        var device = torch.device(options.Device);
        IFaceDetector detector = options.Detector switch
        {
            FaceDetectorBackend.TinyFaceDetector => await TinyFaceDetector.LoadAsync(folder, options.TinyFaceDetector, device, ct).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Detector, "unknown detector backend"),
        };
        FaceLandmark68Detector landmarker = await FaceLandmark68Detector.LoadAsync(
            folder, tiny: options.Landmarks == LandmarkBackend.FaceLandmark68Tiny, device, ct).ConfigureAwait(false);
        bool selfieFound = HumanModelsLocator.TryResolve(options.MattingSettings.Selfie.ModelsPath, SelfieSegmentationNet.ModelFile) is not null;
        IForegroundMatting matting = options.Matting switch
        {
            MattingBackend.GrabCut => new GrabCutMatting(options.MattingSettings),
            MattingBackend.SelfieSegmentation => await SelfieMatting.LoadAsync(options.MattingSettings, device, ct).ConfigureAwait(false),
            MattingBackend.Auto when selfieFound => await SelfieMatting.LoadAsync(options.MattingSettings, device, ct).ConfigureAwait(false),
            MattingBackend.Auto => new GrabCutMatting(options.MattingSettings),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Matting, "unknown matting backend"),
        };
        var owned = new List<IDisposable> { landmarker };
        if (matting is IDisposable m) owned.Add(m);
        if (detector is IDisposable d) owned.Add(d);
        FaceMeshLandmarker? dense = null;
        string? denseUnavailable = null;
        if (options.FaceMesh.Enabled)
        {
            try
            {
                dense = await FaceMeshLandmarker.LoadAsync(options.FaceMesh, device, ct).ConfigureAwait(false);
                owned.Add(dense);
            }
            catch (FileNotFoundException e)
            {
                denseUnavailable = e.Message;
            }
        }
        CropSuperResolver? superResolver = null;
        if (options.SuperResolution.Enabled)
        {
            var esrgan = EsrganModelLocator.TryResolve(options.SuperResolution.ModelsPath)
                ?? throw new PreprocessException(PreprocessFailureReason.ModelsMissing,
                    $"The ESRGAN models (@upscalerjs/esrgan-slim) were not found (looked at: {options.SuperResolution.ModelsPath ?? EsrganModelLocator.RepoRelativePath}); run ./fc4d setup, set {EsrganModelLocator.EnvironmentVariable}, or turn super-resolution off.");
            var upscaler = new EsrganUpscaler(esrgan, device);
            owned.Add(upscaler);
            superResolver = new CropSuperResolver(upscaler, options.SuperResolution);
        }
        return new PortraitPreprocessor(detector, landmarker, matting, owned, dense, denseUnavailable, superResolver);
    }
}
