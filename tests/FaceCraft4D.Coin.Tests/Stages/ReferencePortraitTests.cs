using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Metrics;
using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Evaluation;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Preprocess;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Testing;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Weights.Scalars;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>
/// Issue 12: the reference view came back at 13.9 dB because the aligned crop shows the torso (shoulders, shirt) that
/// the head avatar cannot represent. The reference target of training and evaluation is the crop without the torso.
/// </summary>
public sealed class ReferencePortraitTests(ITestOutputHelper output)
{
    [Fact]
    public void The_cut_row_is_the_lower_lip_when_the_shoulders_could_rise_above_the_chin()
    {
        // 100 px landmarks on a 200 px crop: chin at y = 80, lower lip at y = 62 (centres at 0.5).
        var points = Enumerable.Range(0, 68).Select(_ => new[] { 50f, 40f }).ToArray();
        points[ReferencePortrait.ChinLandmark] = [50f, 80f];
        points[ReferencePortrait.LowerLipLandmark] = [50f, 62f];
        var landmarks = new LandmarksDocument(100, 100, 0.5, "ibug-68", points);
        Assert.Equal(124.0, ReferencePortrait.CutRow(landmarks, 200), 6);
        // A (nonsensical) lip below the chin never lowers the cut.
        points[ReferencePortrait.LowerLipLandmark] = [50f, 90f];
        Assert.Equal(160.0, ReferencePortrait.CutRow(landmarks, 200), 6);
    }

    [Fact]
    public void RemoveTorso_whitens_only_pixels_below_the_chin_outside_the_silhouette()
    {
        // 8x8 crop, all dark; the silhouette (4x4, half resolution) covers the two middle columns of 4 (a neck).
        var crop = RgbImage.Filled(8, 8, new System.Numerics.Vector3(0.2f, 0.3f, 0.4f));
        var silhouette = new FloatImage(4, 4);
        for (int y = 0; y < 4; y++) { silhouette[1, y] = 1; silhouette[2, y] = 1; }

        var (image, changed) = ReferencePortrait.RemoveTorso(crop, silhouette, chinRow: 4.0);

        for (int x = 0; x < 8; x++)
            for (int y = 0; y < 4; y++) Assert.Equal(crop[x, y], image[x, y]); // above the chin: as photographed
        for (int y = 4; y < 8; y++)
        {
            Assert.Equal(System.Numerics.Vector3.One, image[0, y]); // far outside: white
            Assert.Equal(System.Numerics.Vector3.One, image[7, y]);
            Assert.Equal(crop[3, y], image[3, y]); // inside the neck
            Assert.Equal(crop[4, y], image[4, y]);
            // Bilinear silhouette values at the cut: 0.25 (pixels 1, 6) and 0.75 (pixels 2, 5) blend toward white.
            Assert.Equal(1f + (0.2f - 1f) * 0.25f, image[1, y].X, 5);
            Assert.Equal(1f + (0.3f - 1f) * 0.75f, image[5, y].Y, 5);
        }
        Assert.Equal(6 * 4, changed); // all but the two neck columns of rows 4..7
    }

    [Fact]
    public void TrainCoin_final_reference_phase_is_on_by_default_switchable_and_versioned()
    {
        var on = new TrainingStageOptions().Validated();
        Assert.True(on.HasReferenceFinalPhase);
        var schedule = FocusViewSchedule.Final(200, on.ReferenceFinalPhase, on.ReferenceFinalPhaseShare)!; // the preview's CoinIterations
        Assert.Equal(100, schedule.FromIteration);
        Assert.Equal(50, Enumerable.Range(1, 200).Count(schedule.Draws));
        var off = new TrainingStageOptions { ReferenceFinalPhase = 0 }.Validated();
        Assert.False(off.HasReferenceFinalPhase);
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => new TrainingStageOptions { ReferenceFinalPhase = 0.95 }.Validated());
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => new TrainingStageOptions { ReferenceFinalPhaseShare = 1.5 }.Validated());
        // A checkpoint made with the phase is never reused without it (and back).
        int Version(TrainingStageOptions o) => new TrainCoinStageHandler(null!, null!, null!,
            Microsoft.Extensions.Options.Options.Create(o), Microsoft.Extensions.Options.Options.Create(new FaceCraft4D.Stages.ShapePrior.ShapePriorStageOptions())).ImplementationVersion;
        Assert.Equal(7 + on.PerceptualScheduleVersion, Version(on));
        Assert.Equal(6 + off.PerceptualScheduleVersion, Version(off));
    }

    [Fact]
    public void ReferenceViewWeighting_gives_view_0_the_share_and_appends_after_the_other_views()
    {
        var camera = OrbitCameras.CreateAtYaw(new OrbitCameraOptions { Width = 1, Height = 1 }, 0, "c");
        List<TrainingView> Views(int n) => Enumerable.Range(0, n).Select(i => new TrainingView { Camera = camera, Image = torch.zeros(1, 1, 3), Index = i % 8 }).ToList();

        var eight = Views(8);
        Assert.Equal(2, ReferenceViewWeighting.Apply(eight, 0.25)); // 3 of 10 >= 25 %
        Assert.Equal(10, eight.Count);
        Assert.Same(eight[0], eight[8]);
        Assert.Same(eight[0], eight[9]);
        Assert.Equal(Enumerable.Range(0, 8), eight.Take(8).Select(v => v.Index));

        var many = Views(44);
        int added = ReferenceViewWeighting.Apply(many, 0.25);
        Assert.Equal(14, added); // 15 of 58
        Assert.True((added + 1) / (double)many.Count >= 0.25);

        Assert.Equal(0, ReferenceViewWeighting.Apply(Views(8), 0));
        var shifted = Views(8);
        shifted.RemoveAt(0); // first view is not the portrait
        Assert.Equal(0, ReferenceViewWeighting.Apply(shifted, 0.5));
        foreach (var v in eight.Concat(many).Distinct()) v.Image.Dispose();
    }

    [Fact]
    public async Task The_true_avatar_evaluated_at_the_protocol_size_reproduces_a_reference_crop_that_shows_a_torso()
    {
        using var scene = new SyntheticHeadScene();
        var blobs = new InMemoryBlobStore();
        var settings = SyntheticStageRun.SmallSettings();
        var run = await SyntheticStageRun.WriteAsync(blobs, scene, settings, "reference-portrait", withVideos: false);
        var ct = CancellationToken.None;
        var cameras = CameraSet.FromJson((await blobs.TryReadAsync(run.Request(PipelineStage.Evaluate).Input("shape-prior/views.json"), ct))!.ToString()).Cameras;
        var frame = SyntheticStageRun.StaticFrame(scene);

        // The head model's silhouette from view 0 (as the shape prior writes it) and the crop with a torso painted below the chin.
        FloatImage silhouette;
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var alpha = scene.Rasterizer.Render(scene.Truth.Evaluate(frame), cameras[0], torch.ones(3)).Alpha.contiguous(); // [32, 32]
            // Binary, as the shape prior's mask-00.png.
            silhouette = new FloatImage(settings.RenderSize, settings.RenderSize, alpha.IsGreaterThan(0.5).to_type(torch.ScalarType.Float32).data<float>().ToArray());
        }
        var cropCamera = cameras[0].Resized(settings.CropSize, settings.CropSize);
        using var truth = scene.Render(cropCamera, frame: frame); // [64, 64, 3]
        var crop = new RgbImage(settings.CropSize, settings.CropSize, truth.contiguous().data<float>().ToArray());
        int lowest = Enumerable.Range(0, settings.RenderSize).Last(y => Enumerable.Range(0, settings.RenderSize).Any(x => silhouette[x, y] > 0.5f));
        double chin = 0.6 * (lowest + 1) * settings.CropSize / settings.RenderSize;
        var withTorso = crop.Clone();
        double s = (double)settings.RenderSize / settings.CropSize;
        int torsoPixels = 0;
        for (int y = 0; y < settings.CropSize; y++)
            for (int x = 0; x < settings.CropSize; x++)
                if (y + 0.5 > chin + 4 && silhouette.SampleBilinear((x + 0.5) * s, (y + 0.5) * s) < 1e-4f)
                {
                    withTorso[x, y] = new System.Numerics.Vector3(0.12f, 0.1f, 0.1f);
                    torsoPixels++;
                }
        Assert.True(torsoPixels > settings.CropSize * 4, $"the torso covers {torsoPixels} px");
        await Put(blobs, run, PipelineStage.Preprocess, StageFiles.CropWhite, StageImageCodec.Png(withTorso), ct);
        await Put(blobs, run, PipelineStage.ShapePrior, StageFiles.ViewMask(0), StageImageCodec.Png(silhouette), ct);
        var points = Enumerable.Range(0, 68).Select(_ => new[] { settings.CropSize / 2f, (float)chin }).ToArray(); // the chin (8) and the lower lip (57) are read
        await Put(blobs, run, PipelineStage.Preprocess, StageFiles.Landmarks,
            BinaryData.FromObjectAsJson(new LandmarksDocument(settings.CropSize, settings.CropSize, 0.5, "ibug-68", points), ContractJson.Options), ct);
        using (var tensors = new MemoryStream())
        using (var manifest = new MemoryStream())
        {
            await AvatarRigFile.WriteAsync(scene.Truth, tensors, manifest, ct);
            await Put(blobs, run, PipelineStage.Export, ExportFiles.RigTensors, new BinaryData(tensors.ToArray()), ct);
        }

        using var host = new TrainingStageHost(blobs, new Dictionary<string, string?>
        {
            ["Fc4d:Evaluate:ImageSize"] = "0", // the protocol's size
            ["Fc4d:Evaluate:Protocol:Protocol:ImageSize"] = "96",
            ["Fc4d:Evaluate:Protocol:Protocol:FramesPerClip"] = "2",
            ["Fc4d:Evaluate:Models:EnableIdentity"] = "false",
            ["Fc4d:Evaluate:Models:EnableFid"] = "false",
        });

        // Training: view 0's target is the crop without the torso.
        var context = new StageJobContext(run.Request(PipelineStage.TrainStatic), blobs, new Progress<JobProgress>(), "test", ct);
        var portrait = await ReferencePortrait.ReadAsync(context);
        Assert.True(portrait.TorsoRemoved);
        Assert.InRange(portrait.ChangedPixels, torsoPixels, torsoPixels + settings.CropSize * 8); // + the anti-aliased cut
        using (var target = StaticViewReader.ToTensor(portrait.Image, torch.CPU))
        using (var painted = StaticViewReader.ToTensor(withTorso, torch.CPU))
        {
            double withoutTorso = ImageLosses.Psnr(target, truth), asCropped = ImageLosses.Psnr(painted, truth);
            output.WriteLine($"training target vs truth: {withoutTorso:F2} dB; the crop with its torso: {asCropped:F2} dB");
            Assert.True(withoutTorso > 28, $"{withoutTorso:F2} dB"); // the residue: the cut follows the 32 px silhouette along the neck
            Assert.True(asCropped < 25, $"the torso must matter in this scene: {asCropped:F2} dB");
        }

        // Evaluation: the true avatar from the reference camera at the protocol's 96 px reproduces the target.
        var result = await host.RunAsync(run.Request(PipelineStage.Evaluate));
        var document = MetricsJson.Deserialize<AvatarMetricsDocument>((await host.ReadAsync(result.Outputs[EvaluateStageHandler.MetricsFile])).ToString());
        var reference = document.Groups["reference"];
        output.WriteLine($"reference psnr {reference[MetricNames.Psnr].Value:F2} ssim {reference[MetricNames.Ssim].Value:F4}");
        Assert.Equal(96, document.Protocol.ImageSize);
        Assert.True(reference[MetricNames.Psnr].Value > 30, $"reference PSNR {reference[MetricNames.Psnr].Value:F2}");
        Assert.True(reference[MetricNames.Ssim].Value > 0.97, $"reference SSIM {reference[MetricNames.Ssim].Value:F4}");
        using var sheet = Image.Load<Rgb24>((await host.ReadAsync(result.Outputs[ReferenceComparisonSheet.FileName])).ToArray());
        Assert.Equal((3 * 96, 96), (sheet.Width, sheet.Height));
    }

    private static async Task Put(InMemoryBlobStore blobs, SyntheticStageRun run, PipelineStage stage, string file, BinaryData data, CancellationToken ct)
    {
        var name = $"{stage.Slug()}/{file}";
        run.Inputs[name] = await blobs.WriteAsync(StorageLayout.StageOutput(run.RunId, stage, PipelinePlan.SingleKey, file), data, "application/octet-stream", ct);
    }
}
