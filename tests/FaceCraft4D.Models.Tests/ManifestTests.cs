using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Models.Download;
using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Priors.LivePortrait;
using FaceCraft4D.Stages.Animation;
using FaceCraft4D.Stages.ImagePrior;
using FaceCraft4D.Stages.ShapePrior;
using Xunit;

namespace FaceCraft4D.Models.Tests;

public sealed class ManifestTests
{
    private static Task<ModelManifest> CheckedIn() =>
        ModelManifestLoader.LoadAsync(Path.Combine(RepositoryLayout.Locate().Root, "infra", "models", "manifest.json"), CancellationToken.None);

    [Fact]
    public async Task The_checked_in_manifest_is_valid_and_maps_onto_the_folders_the_loaders_read()
    {
        var manifest = await CheckedIn();

        Assert.Empty(ModelManifestLoader.Validate(manifest));
        var liveportrait = manifest.Find("liveportrait")!;
        Assert.Equal(new AnimationStageOptions().LivePortraitPath, liveportrait.Folder);
        Assert.Equal(
            new[] { LivePortraitModelFolder.AppearanceFeatureExtractor, LivePortraitModelFolder.MotionExtractor, LivePortraitModelFolder.WarpingModule,
                    LivePortraitModelFolder.SpadeGenerator, LivePortraitModelFolder.StitchingRetargetingModule }.Order(),
            liveportrait.Files.Select(f => f.Install).Order());
        Assert.All(liveportrait.Files, f => Assert.True(f.Pinned && f.Size > 0 && f.Sha256Source is { Length: > 0 }));
        Assert.Equal(new DiffusionViewEnhancerOptions().Folder, manifest.Find("diffusion")!.Folder);
        Assert.Equal(new ShapePriorStageOptions().PanoHeadPath, manifest.Find("panohead")!.Folder);
        Assert.Equal(new ShapePriorStageOptions().FlameModelPath, $"{manifest.Find("flame")!.Folder}/{manifest.Find("flame")!.Files.Single().Install}");
        var metrics = new FaceCraft4D.Metrics.Models.ModelStoreOptions();
        Assert.Equal($"lpips/{metrics.LpipsVersion}", manifest.Find("lpips")!.Folder);
        Assert.Equal($"clip/{metrics.ClipVersion}", manifest.Find("clip")!.Folder);
        Assert.Equal($"arcface/{metrics.ArcFaceVersion}", manifest.Find("arcface")!.Folder);
        Assert.Equal($"inception/{metrics.InceptionVersion}", manifest.Find("inception")!.Folder);
        // One LPIPS file for the metric, COIN's perceptual loss and the PanoHead inversion.
        var lpipsFile = $"{manifest.Find("lpips")!.Folder}/{manifest.Find("lpips")!.Files.Single().Install}";
        Assert.Equal(FaceCraft4D.Vision.Perceptual.LpipsWeights.DefaultModelPath, lpipsFile);
        Assert.Equal(new FaceCraft4D.Stages.Training.TrainingStageOptions().LpipsWeightsPath, lpipsFile);
        Assert.Equal(new ShapePriorStageOptions().LpipsWeightsPath, lpipsFile);
        Assert.DoesNotContain(manifest.Find("panohead")!.Files, f => f.Install.Contains("lpips", StringComparison.OrdinalIgnoreCase));
        // registration-only and manually distributed weights are never downloaded
        Assert.False(manifest.Find("flame")!.Downloadable);
        Assert.True(manifest.Find("flame")!.Licence.AcceptanceRequired);
        Assert.All(manifest.Priors, p => Assert.False(string.IsNullOrWhiteSpace(p.HowToObtain)));
    }

    [Fact]
    public void Validation_reports_every_problem()
    {
        var manifest = new ModelManifest
        {
            Priors =
            [
                new PriorEntry
                {
                    Name = "x", Version = "v1", Folder = "../x", Licence = new LicenceInfo { Id = "", Url = "" },
                    Files = [new ManifestFile { Source = "a.pth", Install = "a.safetensors", Convert = "magic", Sha256 = "ABC" }],
                },
            ],
        };

        var problems = ModelManifestLoader.Validate(manifest);

        Assert.Contains(problems, p => p.Contains("'../x'"));
        Assert.Contains(problems, p => p.Contains("licence"));
        Assert.Contains(problems, p => p.Contains("unknown conversion 'magic'"));
        Assert.Contains(problems, p => p.Contains("64 lower-case hex"));
        Assert.Contains(problems, p => p.Contains("needs a url"));
    }

    [Theory]
    [InlineData("https://huggingface.co/KwaiVGI/LivePortrait/resolve/main/a.pth", null, "https://huggingface.co/KwaiVGI/LivePortrait/resolve/main/a.pth")]
    [InlineData("https://huggingface.co/KwaiVGI/LivePortrait/resolve/main/a.pth", "http://127.0.0.1:5000/", "http://127.0.0.1:5000/huggingface.co/KwaiVGI/LivePortrait/resolve/main/a.pth")]
    [InlineData("https://download.pytorch.org/models/vgg16-397923af.pth?x=1", "https://mirror.internal/weights", "https://mirror.internal/weights/download.pytorch.org/models/vgg16-397923af.pth?x=1")]
    public void Mirror_urls_keep_host_and_path(string upstream, string? mirror, string expected) =>
        Assert.Equal(expected, MirrorUrl.Resolve(upstream, mirror).ToString());
}
