using FaceCraft4D.Vision.Preprocessing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Metrics.Tests.Support;

/// <summary>Repository assets: the npm-installed face-api.js weights, the sample portrait, golden files.</summary>
public static class TestAssets
{
    /// <summary>The face-api.js model folder; fails the test with the install command when it is missing.</summary>
    public static string RequireFaceModels()
    {
        var folder = FaceModelLocator.TryResolve(null);
        if (folder is null || !File.Exists(Path.Combine(folder, "face_recognition_model-weights_manifest.json")))
            Assert.Fail("face-api.js weights (face_recognition_model) are missing: run `npm ci --prefix infra/node` in the repository root.");
        return folder!;
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "infra", "samples", "portrait.jpg"))) return dir.FullName;
        throw new InvalidOperationException("repository root with infra/samples/portrait.jpg not found");
    }

    public static Image<Rgb24> LoadPortrait() => Image.Load<Rgb24>(Path.Combine(RepoRoot(), "infra", "samples", "portrait.jpg"));

    public static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "Goldens", name);
}
