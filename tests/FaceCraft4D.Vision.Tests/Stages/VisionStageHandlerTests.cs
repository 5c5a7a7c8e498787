using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.ImagePrior;
using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.Tests.ShapePrior;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.Stages;

/// <summary>The four handlers on a real Azurite with a real request chain on the sample portrait (preview settings).</summary>
public sealed class VisionStageHandlerTests(SamplePipelineRun run, ITestOutputHelper output) : IClassFixture<SamplePipelineRun>
{
    private async Task<BinaryData> Read(BlobRef blob) =>
        await run.Harness.Blobs.TryReadAsync(blob, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"{blob} is missing");

    [Fact]
    public async Task Preprocess_writes_the_crop_mask_landmarks_and_camera()
    {
        var result = run.Single[PipelineStage.Preprocess];
        output.WriteLine($"preprocess: {run.Timings["preprocess"].TotalSeconds:F2} s");
        Assert.Equal(PreprocessBackend, result.Backend);
        using var crop = Image.Load<Rgb24>((await Read(result.Outputs[StageFiles.Crop])).ToArray());
        using var mask = Image.Load<L8>((await Read(result.Outputs[StageFiles.Mask])).ToArray());
        Assert.Equal((run.Settings.CropSize, run.Settings.CropSize), (crop.Width, crop.Height));
        Assert.Equal((crop.Width, crop.Height), (mask.Width, mask.Height));
        var cameras = CameraSet.FromJson((await Read(result.Outputs[StageFiles.Camera])).ToString());
        Assert.Equal(run.Settings.CropSize, Assert.Single(cameras.Cameras).Width);
        using var landmarks = JsonDocument.Parse((await Read(result.Outputs[StageFiles.Landmarks])).ToString());
        Assert.Equal(68, landmarks.RootElement.GetProperty("points").GetArrayLength());
        Assert.Equal(0.5, landmarks.RootElement.GetProperty("pixelCentre").GetDouble());
        Assert.Contains(StageFiles.PreprocessReport, result.Outputs.Keys);
        // FaceMesh's dense landmarks travel to the shape prior in the same pixel convention as the 68.
        using var dense = JsonDocument.Parse((await Read(result.Outputs[StageFiles.DenseLandmarks])).ToString());
        Assert.Equal(478, dense.RootElement.GetProperty("points").GetArrayLength());
        Assert.Equal("facemesh-attention", dense.RootElement.GetProperty("backend").GetString());
        Assert.Equal(0.5, dense.RootElement.GetProperty("pixelCentre").GetDouble());
        var chin68 = landmarks.RootElement.GetProperty("points")[8];
        var chinMesh = dense.RootElement.GetProperty("points")[152];
        Assert.True(Math.Abs(chin68[1].GetDouble() - chinMesh[1].GetDouble()) < 0.05 * run.Settings.CropSize, "FaceMesh's chin (152) lies near iBUG 8");
    }

    [Fact]
    public async Task Shape_prior_writes_every_view_with_depth_mask_and_camera_the_flame_fit_and_the_contact_sheet()
    {
        var result = run.Single[PipelineStage.ShapePrior];
        output.WriteLine($"shape prior: {run.Timings["shape-prior"].TotalSeconds:F2} s; " + string.Join(", ", result.Metrics!.Select(kv => $"{kv.Key} {kv.Value:F3}")));
        Assert.Equal("template", result.Backend);
        int n = run.Settings.ViewCount, size = run.Settings.RenderSize;
        var cameras = CameraSet.FromJson((await Read(result.Outputs[StageFiles.Views])).ToString()).Cameras;
        Assert.Equal(n, cameras.Count);
        for (int k = 0; k < n; k++)
        {
            using var image = Image.Load<Rgb24>((await Read(result.Outputs[StageFiles.ViewImage(k)])).ToArray());
            Assert.Equal((size, size), (image.Width, image.Height));
            var depth = DepthMap.FromRawBytes((await Read(result.Outputs[StageFiles.ViewDepth(k)])).ToMemory().Span, size, size);
            var mask = FloatImage.FromMask(Image.Load<L8>((await Read(result.Outputs[StageFiles.ViewMask(k)])).ToArray()));
            var (near, far) = depth.Range();
            Assert.InRange(near, 0.8, 3.0);
            Assert.InRange(far - near, 0.05, 0.5);
            Assert.InRange(mask.Data.Average(), 0.05, 0.8);
            // Depth exists exactly where the mask says the head covers the pixel centre (up to anti-aliased edges).
            int disagree = Enumerable.Range(0, size * size).Count(i => (depth.Values.Data[i] > 0) != (mask.Data[i] > 0.5f));
            Assert.True(disagree < 0.03 * size * size, $"view {k}: {disagree} pixels where depth and mask disagree");
            Assert.Equal(size, cameras[k].Width);
        }
        // The orbit turns the camera by 360 / n per view around the head.
        var pivot = JsonDocument.Parse((await Read(result.Outputs[StageFiles.Flame])).ToString()).RootElement.GetProperty("orbit").GetProperty("pivot");
        var centre = new Vector3d(pivot[0].GetDouble(), pivot[1].GetDouble(), pivot[2].GetDouble());
        var d0 = cameras[0].Position - centre;
        var d1 = cameras[1].Position - centre;
        double angle = Math.Atan2(d0.Z * d1.X - d0.X * d1.Z, d0.X * d1.X + d0.Z * d1.Z) * 180 / Math.PI;
        Assert.InRange(angle, 360.0 / n - 0.01, 360.0 / n + 0.01);

        var flame = JsonSerializer.Deserialize<FlameFitDocument>((await Read(result.Outputs[StageFiles.Flame])).ToString(), ContractJson.Options)!;
        Assert.Equal("fc4d-procedural-head", flame.Model.Name);
        Assert.Equal(StageFiles.HeadModel, flame.Model.File);
        Assert.Equal(flame.Model.ShapeCount, flame.Shape.Length);
        // Dense landmarks reach the prior, which fits the 68 by default (UseDenseLandmarks off) and records it.
        Assert.Equal("ibug-68", flame.LandmarkFit);
        Assert.Equal(0, result.Metrics!["landmark_fit_dense"]);
        Assert.DoesNotContain(result.Notes ?? [], n => n.Contains("no dense FaceMesh landmarks"));
        Assert.True(flame.LandmarkRmsPixels < 0.05 * run.Settings.CropSize, $"landmark rms {flame.LandmarkRmsPixels:F2} px");
        Assert.Equal(run.Settings.CropSize, flame.ReferenceCamera.Width);
        var offsets = await Read(result.Outputs[StageFiles.VertexOffsets]);
        Assert.Equal(flame.Model.VertexCount * 3 * 4, offsets.ToMemory().Length);
        var ply = (await Read(result.Outputs[StageFiles.HeadMesh])).ToArray();
        Assert.StartsWith("ply\nformat binary_little_endian 1.0", System.Text.Encoding.ASCII.GetString(ply, 0, 40));
        Assert.Contains(StageFiles.Texture, result.Outputs.Keys);
        Assert.Contains(StageFiles.HeadModel, result.Outputs.Keys);

        var sheet = result.Outputs[StageFiles.ShapePriorContactSheetArtifact];
        Assert.Equal(StorageLayout.AvatarArtifact(run.RunId, "shape-prior-contact-sheet.png").Name, sheet.Name);
        Assert.Equal(StorageLayout.AvatarsContainer, sheet.Container);
        var bytes = (await Read(sheet)).ToArray();
        Assert.Equal(bytes, (await Read(result.Outputs[StageFiles.ContactSheet])).ToArray());
        var path = Path.Combine(SamplePortraitShapePrior.ArtifactFolder(), "stage-contact-sheet-preview.png");
        await File.WriteAllBytesAsync(path, bytes);
        output.WriteLine($"contact sheet: {path}");
    }

    [Fact]
    public async Task Back_view_and_views_are_enhanced_from_the_anchors_with_masks_and_reports()
    {
        var back = run.Single[PipelineStage.EnhanceBackView];
        output.WriteLine($"enhance-back-view: {run.Timings["enhance-back-view"].TotalSeconds:F2} s; " + string.Join(", ", back.Metrics!.Select(kv => $"{kv.Key} {kv.Value:F3}")));
        Assert.Equal("warp", back.Backend);
        int size = run.Settings.RenderSize;
        var plan = PipelinePlan.For(run.Settings);
        Assert.Equal(plan.EnhancedViews.Order(), run.Views.Keys.Order());
        foreach (var (view, result) in run.Views.OrderBy(v => v.Key))
        {
            output.WriteLine($"enhance-view {view}: {run.Timings[$"enhance-view/{PipelinePlan.ViewKey(view)}"].TotalMilliseconds:F0} ms; " +
                             string.Join(", ", result.Metrics!.Select(kv => $"{kv.Key} {kv.Value:F3}")));
            Assert.Equal("warp", result.Backend);
            using var image = Image.Load<Rgb24>((await Read(result.Outputs[StageFiles.Image])).ToArray());
            Assert.Equal((size, size), (image.Width, image.Height));
            var soft = FloatImage.FromMask(Image.Load<L8>((await Read(result.Outputs[StageFiles.SoftMask])).ToArray()));
            // 1 inside, 0.1 on the band, 0 outside; the reference anchor's facing gate ramps between them on grazing surface outside the face.
            Assert.All(soft.Data, v => Assert.InRange(v, 0f, 1f));
            Assert.Contains(soft.Data, v => v == 1f);
            int ramped = soft.Data.Count(v => v != 0f && v != 1f && Math.Abs(v - 26 / 255f) >= 1e-6f);
            Assert.True(ramped < soft.Data.Count(v => v > 0) / 2, $"{ramped} soft-mask pixels between the band value and 1");
            using var latent = Image.Load<L8>((await Read(result.Outputs[StageFiles.LatentMask])).ToArray());
            Assert.Equal(size / 8, latent.Width);
            var report = JsonSerializer.Deserialize<ViewReport>((await Read(result.Outputs[StageFiles.ViewReport])).ToString(), ContractJson.Options)!;
            Assert.Equal(view, report.View);
            Assert.Equal(["reference", "back"], report.Anchors);
        }
        // Views next to the reference take most warped pixels from it, views next to the back from the back view.
        double FromReference(int v) => run.Views[v].Metrics!["pixels_from_reference"];
        double FromBack(int v) => run.Views[v].Metrics!["pixels_from_back"];
        Assert.True(FromReference(1) > FromBack(1), $"view 1: {FromReference(1)} from the reference, {FromBack(1)} from the back");
        int nearBack = run.Settings.BackViewIndex - 1;
        Assert.True(FromBack(nearBack) > FromReference(nearBack), $"view {nearBack}: {FromReference(nearBack)} from the reference, {FromBack(nearBack)} from the back");
    }

    [Fact]
    public async Task Unavailable_and_unknown_backends_answer_clearly()
    {
        var panohead = run.Settings with { ShapePriorBackend = "panohead" };
        var e1 = await Assert.ThrowsAsync<BackendUnavailableException>(() =>
            run.Harness.RunAsync(PipelineStage.ShapePrior, run.RunId, "0", run.Inputs, panohead));
        Assert.Contains("panohead", e1.Message);
        Assert.Contains("generator.safetensors", e1.Message);

        var diffusion = run.Settings with { ImagePriorBackend = "diffusion" };
        var e2 = await Assert.ThrowsAsync<BackendUnavailableException>(() =>
            run.Harness.RunAsync(PipelineStage.EnhanceView, run.RunId, "view-01", run.Inputs, diffusion, new Dictionary<string, string> { ["view"] = "1" }));
        Assert.StartsWith("diffusion weights are not available in this worker", e2.Message);
        Assert.Contains("missing", e2.Message);

        var unknown = run.Settings with { ShapePriorBackend = "nerf" };
        var e3 = await Assert.ThrowsAsync<StageInputException>(() =>
            run.Harness.RunAsync(PipelineStage.ShapePrior, run.RunId, "0", run.Inputs, unknown));
        Assert.Equal("unknown-backend", e3.ReasonCode);

        var missing = await Assert.ThrowsAsync<StageInputException>(() =>
            run.Harness.RunAsync(PipelineStage.EnhanceView, run.RunId, "view-01",
                run.Inputs.Where(kv => !kv.Key.StartsWith("enhance-back-view/", StringComparison.Ordinal)).ToDictionary(),
                run.Settings, new Dictionary<string, string> { ["view"] = "1" }));
        Assert.Equal("input-missing", missing.ReasonCode);
    }

    private static readonly string PreprocessBackend = FaceCraft4D.Stages.Preprocess.PreprocessStageHandler.StageBackend(FaceCraft4D.Vision.Preprocessing.Matting.SelfieMatting.Label);
}
