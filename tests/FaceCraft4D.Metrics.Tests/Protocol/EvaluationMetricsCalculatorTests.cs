using FaceCraft4D.Metrics.Clip;
using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Metrics.Inception;
using FaceCraft4D.Metrics.Lpips;
using FaceCraft4D.Metrics.Protocol;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Vision.Perceptual;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Metrics.Tests.Protocol;

/// <summary>
/// The calculator end to end with a stand-in renderer built from the sample portrait: the reference view returns the
/// reference itself, static views a yaw-dependent shift of it, animation frames a jaw-dependent darkening of the mouth.
/// ID similarity uses the real face-api.js weights; LPIPS / CLIP / Inception are tiny random networks (their numbers
/// are meaningless here; the bookkeeping is what is checked).
/// </summary>
public sealed class EvaluationMetricsCalculatorTests(ITestOutputHelper output)
{
    private static Image<Rgb24> Render(Image<Rgb24> portrait, CameraSpec camera)
    {
        if (camera.ViewName == "reference") return portrait.Clone();
        int shift = (int)Math.Round(camera.YawDegrees * 0.5);
        var img = portrait.Clone(c => c.Resize(new ResizeOptions { Size = new Size(camera.ImageSize), Mode = ResizeMode.Stretch }));
        using var moved = new Image<Rgb24>(camera.ImageSize, camera.ImageSize, new Rgb24(255, 255, 255));
        moved.Mutate(c => c.DrawImage(img, new Point(shift, 0), 1f));
        img.Dispose();
        float jaw = camera.Expression?.JawPose is { Length: > 0 } j ? j[0] : 0f;
        if (jaw > 0)
            moved.ProcessPixelRows(rows =>
            {
                for (int y = 300; y < 330; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (int x = 205 + shift; x < 260 + shift; x++) row[x] = new Rgb24((byte)(row[x].R * (1 - jaw)), (byte)(row[x].G * (1 - jaw)), (byte)(row[x].B * (1 - jaw)));
                }
            });
        return moved.Clone();
    }

    [Fact]
    public async Task ComputesEveryMetric_PerViewAndSummarised_AndRoundTripsAsJson()
    {
        var folder = TestAssets.RequireFaceModels();
        using var portrait = TestAssets.LoadPortrait();
        var device = torch.CPU;
        var lpipsNet = new LpipsNetwork(new LpipsConfig(LpipsTrunkKind.AlexNet, [4, 6, 8, 6, 6]));
        ModuleRandomizer.Randomize(lpipsNet.Trunk, 1);
        for (int k = 0; k < lpipsNet.Heads.Count; k++) ModuleRandomizer.Randomize(lpipsNet.Heads[k], 2 + 10 * k);
        var clipModel = new ClipVisionModelWithProjection(new ClipVisionConfig(32, 64, 1, 4, 32, 8, 16));
        ModuleRandomizer.Randomize(clipModel, 3);
        var inception = new FidInceptionV3(new InceptionConfig(WidthDivisor: 16, InputSize: 75));
        ModuleRandomizer.Randomize(inception, 4);
        var identity = await FaceDescriptorExtractor.LoadAsync(new IdentitySimilarityOptions { FaceModelsPath = folder }, device, CancellationToken.None);
        using var models = new MetricModelSet(device, new LpipsModel(lpipsNet, "lpips:tiny-random"), identity,
            new ClipImageEncoder(clipModel, "clip:tiny-random"), new InceptionFeatureExtractor(inception, "inception:tiny-random"),
            new Dictionary<string, string>());
        var options = new EvaluationMetricsOptions { Protocol = new EvaluationProtocolOptions { FramesPerClip = 3 } };
        var calculator = new EvaluationMetricsCalculator(models, options);
        var calls = new List<string>();
        // a ground-truth image for the frontal view: it gets pixel metrics, and the FID reference set has two images
        using var frontalTruth = portrait.Clone(c => c.Brightness(0.9f));
        var inputs = new EvaluationInputs("fc4d-0123456789abcdef-01234567", portrait, new CameraSpec("reference", 0, 0, 512),
            GroundTruthViews: new Dictionary<string, Image<Rgb24>> { ["frontal"] = frontalTruth });

        var doc = await calculator.ComputeAsync(inputs, cam => { calls.Add(cam.ViewName); return Render(portrait, cam); }, CancellationToken.None);

        Assert.Equal(1 + 5 + 2 * 3 * 3, calls.Count);
        Assert.Equal(calls, doc.Views.Select(v => v.View));
        var reference = doc.Views[0];
        Assert.True(double.IsPositiveInfinity(reference.Values[MetricNames.Psnr]!.Value));
        Assert.Equal(1.0, reference.Values[MetricNames.Ssim]!.Value, 9);
        Assert.Equal(1.0, reference.Values[MetricNames.MsSsim]!.Value, 9);
        Assert.Equal(0.0, reference.Values[MetricNames.Lpips]!.Value, 6);
        Assert.Equal(1.0, reference.Values[MetricNames.IdSimilarity]!.Value, 6);
        Assert.Equal(1.0, reference.Values[MetricNames.ClipI]!.Value, 5);

        var left = doc.Views.Single(v => v.View == "left");
        Assert.False(left.Values.ContainsKey(MetricNames.Psnr));
        Assert.Equal("no pixel-aligned target for this view", left.Notes[MetricNames.Psnr]);
        Assert.InRange(left.Values[MetricNames.IdSimilarity]!.Value, 0.9, 1.0); // same face, shifted

        foreach (var v in doc.Views) output.WriteLine($"{v.View,-34} id {v.Values.GetValueOrDefault(MetricNames.IdSimilarity):F4}");
        Assert.Equal(doc.Views.Count, doc.Metrics[MetricNames.IdSimilarity].Samples);
        Assert.Equal(2, doc.Metrics[MetricNames.Psnr].Samples);
        Assert.True(double.IsPositiveInfinity(doc.Groups["reference"][MetricNames.Psnr].Value!.Value));
        var frontal = doc.Views.Single(v => v.View == "frontal").Values[MetricNames.Psnr]!.Value;
        Assert.InRange(frontal, 15, 40); // the 0.9-brightness truth
        Assert.Equal(frontal, doc.Groups["static"][MetricNames.Psnr].Value!.Value, 9);
        Assert.Equal("lpips:tiny-random", doc.Models[MetricNames.Lpips]);
        Assert.StartsWith("face-api.js", doc.Models[MetricNames.IdSimilarity]);
        Assert.False(doc.Metrics[MetricNames.Fid].IsSkipped);
        Assert.True(doc.Metrics[MetricNames.Fid].Value > 0);
        Assert.Equal(2, doc.FidFeatures!.ReferenceCount);
        Assert.Equal(3, doc.Groups.Count);
        Assert.Equal(18, doc.Groups["animation"][MetricNames.ClipI].Samples);

        var json = MetricsJson.Serialize(doc);
        Assert.Contains("\"Infinity\"", json);
        var back = MetricsJson.Deserialize<AvatarMetricsDocument>(json);
        Assert.True(double.IsPositiveInfinity(back.Views[0].Values[MetricNames.Psnr]!.Value));
        Assert.Equal(doc.Views.Count, back.FidFeatures!.RenderRows().Length);
        Assert.Equal(doc.Metrics[MetricNames.IdSimilarity].Value, back.Metrics[MetricNames.IdSimilarity].Value);
    }

    [Fact]
    public async Task RepeatedFrames_AreRenderedOnce_AndTakeTheFiguresOfTheirFirstRender()
    {
        var folder = TestAssets.RequireFaceModels();
        using var portrait = TestAssets.LoadPortrait();
        var inception = new FidInceptionV3(new InceptionConfig(WidthDivisor: 16, InputSize: 75));
        ModuleRandomizer.Randomize(inception, 4);
        var identity = await FaceDescriptorExtractor.LoadAsync(new IdentitySimilarityOptions { FaceModelsPath = folder }, torch.CPU, CancellationToken.None);
        using var models = new MetricModelSet(torch.CPU, null, identity, null, new InceptionFeatureExtractor(inception, "inception:tiny-random"),
            new Dictionary<string, string>());
        static FlameExpression Jaw(string name, float angle) => new(name, [], [angle, 0f, 0f]);
        // Frame 2 repeats frame 0's values under another name; frame 3 (closed, explicit zeros) is not the static view.
        var clip = new AnimationClip("pulse", [Jaw("open", 0.2f), Jaw("wide", 0.4f), Jaw("open-again", 0.2f), Jaw("closed", 0f)]);
        var inputs = new EvaluationInputs("fc4d-0123456789abcdef-01234567", portrait, new CameraSpec("reference", 0, 0, 512), Clips: [clip]);

        async Task<(AvatarMetricsDocument Doc, List<string> Calls)> Evaluate(bool reuse)
        {
            var calls = new List<string>();
            var options = new EvaluationMetricsOptions { ReuseIdenticalRenders = reuse, Protocol = new EvaluationProtocolOptions { AnimationViews = ["frontal"] } };
            var doc = await new EvaluationMetricsCalculator(models, options).ComputeAsync(
                inputs, cam => { calls.Add(cam.ViewName); return Render(portrait, cam); }, CancellationToken.None);
            return (doc, calls);
        }

        var (full, everyView) = await Evaluate(reuse: false);
        var (reused, fewer) = await Evaluate(reuse: true);

        Assert.Equal(1 + 5 + 4, everyView.Count);
        Assert.Equal(1 + 5 + 3, fewer.Count);
        Assert.DoesNotContain(fewer, c => c.EndsWith(":002", StringComparison.Ordinal));
        Assert.Equal(full.Views.Select(v => v.View), reused.Views.Select(v => v.View));
        for (int i = 0; i < full.Views.Count; i++)
        {
            var (a, b) = (full.Views[i], reused.Views[i]);
            Assert.Equal(a.Values.Keys.Order(), b.Values.Keys.Order());
            foreach (var (metric, value) in a.Values) Assert.Equal(value ?? double.NaN, b.Values[metric] ?? double.NaN, 9);
            Assert.Equal(a.Notes.OrderBy(n => n.Key), b.Notes.OrderBy(n => n.Key));
        }
        var repeated = reused.Views.Single(v => v.View == "anim:pulse:frontal:002").Values[MetricNames.IdSimilarity];
        Assert.NotNull(repeated);
        Assert.Equal(reused.Views.Single(v => v.View == "anim:pulse:frontal:000").Values[MetricNames.IdSimilarity], repeated);
        Assert.Equal(full.Metrics[MetricNames.IdSimilarity].Value!.Value, reused.Metrics[MetricNames.IdSimilarity].Value!.Value, 9);
        // The Inception rows a batch's FID is computed from: one per view, the repeated view's a copy of its first render's.
        var (fullRows, reusedRows) = (full.FidFeatures!.RenderRows(), reused.FidFeatures!.RenderRows());
        Assert.Equal(full.Views.Count, reusedRows.Length);
        for (int i = 0; i < fullRows.Length; i++) Assert.Equal(fullRows[i], reusedRows[i]);
    }
}

public sealed class MetricModelSetTests
{
    [Fact]
    public async Task Auto_PicksArcFace_WhenItsWeightsAreInTheStore()
    {
        var folder = TestAssets.RequireFaceModels();
        using var root = new TempDirectory();
        using (var net = new FaceCraft4D.Metrics.Identity.ArcFace.IResNet(new([1, 1, 1, 1], [4, 8, 8, 16], 32)))
            await FaceCraft4D.Weights.SafeTensorsWriter.WriteStateDictAsync(root.File(Path.Combine("arcface", "r100", "model.safetensors")), net);
        using var set = await MetricModelSet.LoadAsync(new MetricModelOptions
        {
            Models = new() { Root = root.Path },
            Identity = new() { FaceModelsPath = folder },
            EnableLpips = false, EnableClip = false, EnableFid = false,
        }, CancellationToken.None);
        Assert.StartsWith("arcface:r100 (iresnet 1-1-1-1, 32-D", set.Identity!.BackendName);
        Assert.Equal("disabled by configuration", set.SkipReasons[MetricNames.Lpips]);

        using var faceApi = await MetricModelSet.LoadAsync(new MetricModelOptions
        {
            Models = new() { Root = root.Path },
            Identity = new() { FaceModelsPath = folder, Backend = IdentityBackend.FaceApi },
            EnableLpips = false, EnableClip = false, EnableFid = false,
        }, CancellationToken.None);
        Assert.StartsWith("face-api.js", faceApi.Identity!.BackendName);
    }

    [Fact]
    public async Task MissingOperatorWeights_AreSkippedWithReasons_IdentityStillLoads()
    {
        var folder = TestAssets.RequireFaceModels();
        using var root = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(root.Path, "lpips", "v0.1")); // present but empty
        using var set = await MetricModelSet.LoadAsync(new MetricModelOptions
        {
            Models = new() { Root = root.Path },
            Identity = new() { FaceModelsPath = folder },
        }, CancellationToken.None);
        Assert.Null(set.Lpips);
        Assert.Null(set.Clip);
        Assert.Null(set.Inception);
        Assert.NotNull(set.Identity);
        Assert.Contains("lpips-vgg16.safetensors", set.SkipReasons[MetricNames.Lpips]);
        Assert.Contains(Path.Combine("clip", "vit-b-32"), set.SkipReasons[MetricNames.ClipI]);
        Assert.Contains("not found", set.SkipReasons[MetricNames.Fid]);
        Assert.False(set.SkipReasons.ContainsKey(MetricNames.IdSimilarity));
    }

    [Fact]
    public async Task WithoutAnyModel_OnlyReferenceMetricsRun_AndTheRestSaysWhy()
    {
        using var portrait = TestAssets.LoadPortrait();
        using var models = MetricModelSet.None(torch.CPU, "metric networks disabled for this test");
        var options = new EvaluationMetricsOptions { Protocol = new EvaluationProtocolOptions { ImageSize = 128, FramesPerClip = 2, AnimationViews = ["frontal"] } };
        var doc = await new EvaluationMetricsCalculator(models, options).ComputeAsync(
            new EvaluationInputs("fc4d-0123456789abcdef-01234567", portrait, new CameraSpec("reference", 0, 0, 128)),
            cam => new Image<Rgb24>(cam.ImageSize, cam.ImageSize, new Rgb24(255, 255, 255)), CancellationToken.None);
        Assert.False(doc.Metrics[MetricNames.Psnr].IsSkipped);
        Assert.False(doc.Metrics[MetricNames.Ssim].IsSkipped);
        Assert.True(doc.Metrics[MetricNames.MsSsim].IsSkipped); // 128 px < 161 px
        Assert.Contains("161", doc.Metrics[MetricNames.MsSsim].SkippedReason);
        foreach (var m in new[] { MetricNames.Lpips, MetricNames.IdSimilarity, MetricNames.ClipI, MetricNames.Fid })
        {
            Assert.True(doc.Metrics[m].IsSkipped);
            Assert.Equal("skipped: metric networks disabled for this test", doc.Models[m]);
        }
        Assert.Null(doc.FidFeatures);
    }
}
