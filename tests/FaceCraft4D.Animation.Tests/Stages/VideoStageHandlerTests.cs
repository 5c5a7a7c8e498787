using System.Text.Json;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Animation;
using FaceCraft4D.Stages.Tracking;
using FaceCraft4D.Vision.Rendering;
using Xunit.Abstractions;

namespace FaceCraft4D.Animation.Tests.Stages;

/// <summary>AnimateView (rig) and TrackFlame on a real Azurite with a real request chain on the sample portrait.</summary>
[Collection(SampleVideoRunCollection.Name)]
public sealed class VideoStageHandlerTests(SampleVideoRun run, ITestOutputHelper output)
{
    private async Task<BinaryData> Read(BlobRef blob) =>
        await run.Harness.Blobs.TryReadAsync(blob, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"{blob} is missing");

    private async Task<T> ReadJson<T>(BlobRef blob) => JsonSerializer.Deserialize<T>((await Read(blob)).ToString(), ContractJson.Options)!;

    [Fact]
    public async Task Every_animate_view_item_writes_its_frames_masks_texture_and_video_json_and_its_first_frame_is_the_enhanced_view()
    {
        var s = run.Settings;
        Assert.Equal(s.SourceViewCount * s.ClipCount, run.Videos.Count);
        foreach (var item in run.Plan.WorkItems(PipelineStage.AnimateView))
        {
            var result = run.Videos[item.Key];
            Assert.Equal("rig", result.Backend);
            var video = await ReadJson<VideoDocument>(result.Outputs[VideoStageFiles.Video]);
            int source = int.Parse(item.Parameters["source"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(source, video.Source);
            Assert.Equal(s.FramesPerClip, video.FrameCount);
            Assert.Equal(s.FramesPerClip, video.DrivingParameters.Count);
            Assert.Equal((s.RenderSize, s.RenderSize), (video.Width, video.Height));
            foreach (var name in video.Frames.Concat(video.Masks).Append(VideoStageFiles.Texture).Append(VideoStageFiles.Strip))
                Assert.Contains(name, result.Outputs.Keys);
            if (Environment.GetEnvironmentVariable("FC4D_DUMP") is { Length: > 0 } dump)
                await File.WriteAllBytesAsync(Path.Combine(dump, $"{item.Key}-strip.png"), (await Read(result.Outputs[VideoStageFiles.Strip])).ToArray());
            var first = StageImageCodec.ReadRgb(await Read(result.Outputs[video.Frames[0]]), "frame");
            var mask = StageImageCodec.ReadMask(await Read(result.Outputs[video.Masks[0]]), "mask");
            var staticView = source == 0
                ? StageImageCodec.ReadRgb(await Read(run.StaticInputs["preprocess/crop-white.png"]), "crop").Resize(s.RenderSize, s.RenderSize)
                : source == s.BackViewIndex
                    ? StageImageCodec.ReadRgb(await Read(run.StaticInputs["enhance-back-view/image.png"]), "back")
                    : StageImageCodec.ReadRgb(await Read(run.StaticInputs[$"enhance-view/{PipelinePlan.ViewKey(source)}/image.png"]), "view");
            double psnr = Psnr(first, staticView, mask);
            var coarse = StageImageCodec.ReadRgb(await Read(run.StaticInputs[$"shape-prior/{StageFiles.ViewImage(source)}"]), "coarse");
            double coarsePsnr = Psnr(coarse, staticView, mask);
            double motion = 0;
            foreach (var frame in video.Frames.Skip(1))
            {
                var image = StageImageCodec.ReadRgb(await Read(result.Outputs[frame]), "frame");
                motion = Math.Max(motion, image.Data.Zip(first.Data, (a, b) => Math.Abs(a - b)).Average());
            }
            output.WriteLine($"{item.Key} ({video.ClipName}): {run.Timings[item.Key].TotalSeconds:F2} s, first frame vs static view {psnr:F1} dB inside the head (shape prior's render {coarsePsnr:F1} dB), " +
                             $"largest mean change {motion:F4}, render {result.Metrics!["render_seconds_per_frame"] * 1000:F1} ms/frame, re-bake {result.Metrics["texture_rebake_seconds"]:F2} s");
            // The neutral frame is closer to the enhanced view than the shape prior's own render: the re-bake carries it.
            Assert.True(psnr > 20 && psnr > coarsePsnr + 1, $"{item.Key}: the first (neutral) frame does not carry the enhanced appearance ({psnr:F1} dB vs {coarsePsnr:F1} dB)");
            Assert.True(motion > 0.0005, $"{item.Key}: the video does not move");
        }
    }

    [Fact]
    public async Task The_same_clip_drives_every_source_view_with_the_same_parameters_frame_by_frame()
    {
        foreach (var clip in Enumerable.Range(0, run.Settings.ClipCount))
        {
            var documents = new List<VideoDocument>();
            foreach (var item in run.Plan.WorkItems(PipelineStage.AnimateView).Where(i => i.Parameters["clip"] == clip.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                documents.Add(await ReadJson<VideoDocument>(run.Videos[item.Key].Outputs[VideoStageFiles.Video]));
            Assert.Equal(run.Settings.SourceViewCount, documents.Count);
            for (int t = 0; t < run.Settings.FramesPerClip; t++)
                foreach (var d in documents.Skip(1))
                {
                    Assert.Equal(documents[0].DrivingParameters[t].Expression, d.DrivingParameters[t].Expression);
                    Assert.Equal(documents[0].DrivingParameters[t].Jaw, d.DrivingParameters[t].Jaw);
                    Assert.Equal(documents[0].DrivingParameters[t].Neck, d.DrivingParameters[t].Neck);
                }
        }
    }

    [Fact]
    public async Task Track_flame_writes_every_frame_of_every_clip_and_recovers_the_driving_parameters()
    {
        var result = run.Tracking;
        output.WriteLine($"track-flame: {run.Timings["track-flame"].TotalSeconds:F1} s; " + string.Join(", ", result.Metrics!.Select(kv => $"{kv.Key} {kv.Value:G4}")));
        Assert.Equal(TrackFlameStageHandler.BackendName, result.Backend);
        var tracking = await ReadJson<TrackingDocument>(result.Outputs[VideoStageFiles.Tracking]);
        Assert.Equal(TrackingDocument.FormatTag, tracking.Format);
        Assert.Equal(run.Settings.ClipCount, tracking.Clips.Count);
        var cameras = CameraSet.FromJson((await Read(result.Outputs[VideoStageFiles.Cameras])).ToString()).Cameras;
        Assert.Equal(run.Plan.SourceViews.Select(v => $"orbit_{v:D2}"), cameras.Select(c => c.Name));
        Assert.Equal(tracking.Model.VertexCount * 3 * 4, (await Read(result.Outputs[VideoStageFiles.Offsets])).ToMemory().Length);
        Assert.Contains(VideoStageFiles.Overlay, result.Outputs.Keys);
        if (Environment.GetEnvironmentVariable("FC4D_DUMP") is { Length: > 0 } dump)
            await File.WriteAllBytesAsync(Path.Combine(dump, "tracking-overlay.png"), (await Read(result.Outputs[VideoStageFiles.Overlay])).ToArray());
        Assert.True(result.Metrics["landmark_frames_detected"] > 0, "no landmarks were detected on any frame");

        // The rig videos' driving parameters are ground truth: compare the tracked head with the driven head.
        using var subject = await TrackedSubject.ReadAsync(run);
        var errors = new List<double>();
        foreach (var clip in tracking.Clips)
        {
            Assert.Equal(run.Settings.FramesPerClip, clip.Frames.Count);
            Assert.Equal(run.Settings.SourceViewCount, clip.Videos.Count);
            var key = clip.Videos.Values.First()["animate-view/".Length..].TrimEnd('/');
            var video = await ReadJson<VideoDocument>(run.Videos[key].Outputs[VideoStageFiles.Video]);
            for (int t = 0; t < clip.Frames.Count; t++)
            {
                var f = clip.Frames[t];
                var tracked = new FlameFrame(f.Expression, f.Jaw, f.Neck, f.Eyes, f.Translation);
                errors.Add(subject.MeanVertexDistance(tracked, video.DrivingParameters[t]));
            }
        }
        output.WriteLine($"tracked vs driving parameters on the sample portrait's head: mean vertex distance {errors.Average() * 1000:F2} mm (worst frame {errors.Max() * 1000:F2} mm)");
        Assert.True(errors.Average() < 0.004, $"tracked head is {errors.Average() * 1000:F1} mm from the driven head on average");
        Assert.Equal(0, result.Metrics["expression_spread_across_views"]);
    }

    private static double Psnr(RgbImage a, RgbImage b, FloatImage mask)
    {
        double se = 0;
        long n = 0;
        for (int i = 0; i < a.Width * a.Height; i++)
        {
            if (mask.Data[i] < 0.99f) continue;
            for (int c = 0; c < 3; c++) { double d = a.Data[3 * i + c] - b.Data[3 * i + c]; se += d * d; }
            n += 3;
        }
        return 10 * Math.Log10(1 / Math.Max(se / Math.Max(n, 1), 1e-12));
    }
}
