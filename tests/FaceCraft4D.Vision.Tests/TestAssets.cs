using FaceCraft4D.Vision.Preprocessing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Tests;

/// <summary>Locates repository assets: the npm-installed face-api.js models and the bundled sample portrait.</summary>
public static class TestAssets
{
    /// <summary>The model folder; fails the test with the install command when it is missing.</summary>
    public static string RequireModels()
    {
        var folder = FaceModelLocator.TryResolve(null);
        if (folder is null || !File.Exists(Path.Combine(folder, "tiny_face_detector_model-weights_manifest.json")))
            Assert.Fail($"face-api.js weights are missing: {FaceModelLocator.InstallHint}.");
        return folder!;
    }

    /// <summary>The FaceMesh graph model.json of <paramref name="variant"/>; fails the test with the install command when missing.</summary>
    public static string RequireFaceMeshModel(FaceCraft4D.Vision.Preprocessing.FaceMesh.FaceMeshVariant variant)
    {
        var path = FaceCraft4D.Vision.Preprocessing.HumanModelsLocator.TryResolveFile(null, FaceCraft4D.Vision.Preprocessing.FaceMesh.FaceMeshNetwork.ModelFile(variant));
        if (path is null) Assert.Fail($"FaceMesh {variant} model is missing: {FaceCraft4D.Vision.Preprocessing.HumanModelsLocator.InstallHint}.");
        return path!;
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "infra", "samples", "portrait.jpg"))) return dir.FullName;
        throw new InvalidOperationException("repository root with infra/samples/portrait.jpg not found");
    }

    public static Image<Rgb24> LoadPortrait() => Image.Load<Rgb24>(Path.Combine(RepoRoot(), "infra", "samples", "portrait.jpg"));
}
