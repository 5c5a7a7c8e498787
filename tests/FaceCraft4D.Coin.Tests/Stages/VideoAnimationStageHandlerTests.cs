using System.Runtime.CompilerServices;
using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Performance;
using FaceCraft4D.Stages;
using FaceCraft4D.Testing;
using FaceCraft4D.Vision.Video;
using FaceCraft4D.Weights;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit.Abstractions;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>
/// TrackVideo (two chunks) and VideoClip as the worker registers them (<see cref="PerformanceStageServiceCollectionExtensions"/>),
/// on a synthetic run's head and rig, with the real FFmpeg reader and writer (<c>AddVideoIo</c>): the driving video is a moving
/// real face (the sample portrait turned a little per frame) encoded to MP4; the writer is wrapped to record what it encodes.
/// </summary>
public sealed class VideoAnimationStageHandlerTests(ITestOutputHelper output)
{
    private const int Frames = 10;

    [Fact]
    public async Task Chunks_are_tracked_and_fanned_in_to_a_clip_previews_and_report()
    {
        using var scene = new SyntheticHeadScene();
        var blobs = new InMemoryBlobStore();
        var run = await SyntheticStageRun.WriteAsync(blobs, scene, SyntheticStageRun.SmallSettings(), "video-animation", withVideos: false);
        var inputs = run.Inputs.Where(kv => kv.Key.StartsWith("shape-prior/", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        using (var rig = new MemoryStream())
        using (var manifest = new MemoryStream())
        {
            await AvatarRigFile.WriteAsync(scene.Truth, rig, manifest);
            inputs[VideoAnimationContract.Names.Rig] = await blobs.WriteAsync(StorageLayout.AvatarArtifact(run.RunId, ExportFiles.RigTensors), new BinaryData(rig.ToArray()), "application/octet-stream", CancellationToken.None);
        }
        const string animation = "anim-0123456789abcdef";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Fc4d:Performance:Device"] = "cpu",
            ["Fc4d:Performance:TrackingMaxSide"] = "256",
            ["Fc4d:Performance:PreviewSize"] = "48",
            ["Fc4d:Performance:FaceMesh:Passes"] = "1",
            ["Fc4d:Performance:Tracker:FirstFrameIterations"] = "60",
            ["Fc4d:Performance:Tracker:PerFrameIterations"] = "15",
            ["Fc4d:Performance:Tracker:RefinementIterations"] = "5",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<FaceCraft4D.Storage.IBlobStore>(blobs);
        services.AddSingleton<IVideoWriter>(sp => new RecordingVideoWriter(ActivatorUtilities.CreateInstance<FfmpegVideoWriter>(sp)));
        services.AddVideoIo(configuration);
        services.AddPerformanceStageHandlers(configuration);
        using var provider = services.BuildServiceProvider();
        var writer = (RecordingVideoWriter)provider.GetRequiredService<IVideoWriter>();

        var source = Path.Combine(Path.GetTempPath(), $"fc4d-test-talk-{Guid.NewGuid():N}.mp4");
        try
        {
            await ActivatorUtilities.CreateInstance<FfmpegVideoWriter>(provider).WriteMp4Async(PortraitFrames(Frames, 256), 25, null, source, CancellationToken.None);
            inputs[VideoAnimationContract.Names.Video] = await blobs.WriteAsync(VideoAnimationContract.VideoInput(run.RunId, animation, "talk.mp4"),
                new BinaryData(await File.ReadAllBytesAsync(source)), "video/mp4", CancellationToken.None);
        }
        finally
        {
            File.Delete(source);
        }
        var handlers = provider.GetServices<IStageHandler>().ToDictionary(h => h.Stage);
        var progress = new List<JobProgress>();

        var chunkInputs = new Dictionary<string, BlobRef>(inputs);
        var ranges = new[] { (First: 0, Count: 5), (First: 5, Count: 5) };
        for (int c = 0; c < ranges.Length; c++)
        {
            var parameters = new Dictionary<string, string>
            {
                [VideoAnimationContract.Names.AnimationId] = animation, [VideoAnimationContract.Names.Fps] = "25",
                [VideoAnimationContract.Names.FirstFrame] = ranges[c].First.ToString(), [VideoAnimationContract.Names.FrameCount] = ranges[c].Count.ToString(),
                [VideoAnimationContract.Names.Overlap] = "2", [VideoAnimationContract.Names.TotalFrames] = Frames.ToString(),
            };
            var request = new StageRequest(run.RunId, PipelineStage.TrackVideo, VideoAnimationContract.ChunkKey(animation, c), inputs, run.Settings, parameters);
            var result = await handlers[PipelineStage.TrackVideo].ExecuteAsync(new StageJobContext(request, blobs, new Progress<JobProgress>(progress.Add), "test", CancellationToken.None));
            Assert.Equal("video-tracker:facemesh-attention", result.Backend);
            Assert.Equal(ranges[c].Count + 2, (int)result.Metrics!["frames"]); // 2 overlap frames on the inner side only
            var summary = JsonDocument.Parse((await blobs.TryReadAsync(result.Outputs[VideoAnimationContract.Files.TrackSummary], CancellationToken.None))!.ToString()).RootElement;
            Assert.Equal(result.Metrics["frames"], summary.GetProperty("framesWithFace").GetInt32());
            output.WriteLine($"chunk {c}: {string.Join(", ", result.Metrics.Select(kv => $"{kv.Key} {kv.Value:G4}"))}");
            chunkInputs[VideoAnimationContract.Names.ChunkTrack(c)] = result.Outputs[VideoAnimationContract.Files.TrackFile];
        }

        var clipParameters = new Dictionary<string, string>
        {
            [VideoAnimationContract.Names.AnimationId] = animation, [VideoAnimationContract.Names.ClipName] = "my talk", [VideoAnimationContract.Names.Fps] = "25",
            [VideoAnimationContract.Names.Mode] = "relative", [VideoAnimationContract.Names.ChunkCount] = "2",
        };
        var clipRequest = new StageRequest(run.RunId, PipelineStage.VideoClip, VideoAnimationContract.ClipKey(animation), chunkInputs, run.Settings, clipParameters);
        var clip = await handlers[PipelineStage.VideoClip].ExecuteAsync(new StageJobContext(clipRequest, blobs, new Progress<JobProgress>(progress.Add), "test", CancellationToken.None));
        output.WriteLine($"clip: {string.Join(", ", clip.Metrics!.Select(kv => $"{kv.Key} {kv.Value:G4}"))}; notes: {string.Join(" | ", clip.Notes ?? [])}");

        var file = InMemorySafeTensors.FromArray((await blobs.TryReadAsync(clip.Outputs[VideoAnimationContract.Files.Clip], CancellationToken.None))!.ToArray());
        Assert.Equal(AnimationFile.FormatTag, file.Metadata["format"]);
        Assert.Equal(("my talk", "video", Frames.ToString()), (file.Metadata["clip"], file.Metadata["source"], file.Metadata["frames"]));
        Assert.Equal(Frames, file["triangle_centers"].Shape[0]);

        Assert.Equal(Frames, writer.Mp4Frames);
        Assert.True(writer.AudioSourceExisted, "the MP4 writer got the source video for its audio");
        var previewPath = Path.Combine(Path.GetTempPath(), $"fc4d-test-preview-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(previewPath, (await blobs.TryReadAsync(clip.Outputs[VideoAnimationContract.Files.PreviewMp4], CancellationToken.None))!.ToArray());
            var facts = await provider.GetRequiredService<IVideoReader>().ProbeAsync(previewPath, CancellationToken.None);
            output.WriteLine($"preview.mp4: {facts}");
            Assert.Equal((96, 48, "h264"), (facts.Width, facts.Height, facts.Codec));
            Assert.Equal(Frames, facts.FramesAt(25));
        }
        finally
        {
            File.Delete(previewPath);
        }
        Assert.Equal((48 + 48, 48), writer.Mp4Size); // the square driving frame scaled to 48 px beside the 48 px avatar
        Assert.Equal(Frames, writer.GifFrames);
        Assert.True(writer.AvatarHalfVaries, "the avatar half of the preview changes between frames");
        foreach (var name in new[] { VideoAnimationContract.Files.PreviewMp4, VideoAnimationContract.Files.PreviewGif, VideoAnimationContract.Files.Report })
            Assert.Contains(name, clip.Outputs.Keys);

        var report = JsonDocument.Parse((await blobs.TryReadAsync(clip.Outputs[VideoAnimationContract.Files.Report], CancellationToken.None))!.ToString()).RootElement;
        Assert.Equal(Frames, report.GetProperty("perFrame").GetArrayLength());
        Assert.Equal("relative", report.GetProperty("mode").GetString());
        Assert.True(report.GetProperty("meanErrorIod").GetDouble() is > 0 and < 0.2);
        Assert.All(report.GetProperty("perFrame").EnumerateArray(), f => Assert.True(f.GetProperty("tracked").GetBoolean()));
        Assert.Contains(progress, p => p.Message?.StartsWith("preview", StringComparison.Ordinal) == true);

        // Bad parameters are refused early with a clear reason.
        var bad = clipRequest with { Parameters = new Dictionary<string, string>(clipParameters) { [VideoAnimationContract.Names.Mode] = "sideways" } };
        var error = await Assert.ThrowsAsync<StageInputException>(() => handlers[PipelineStage.VideoClip].ExecuteAsync(new StageJobContext(bad, blobs, new Progress<JobProgress>(), "test", CancellationToken.None)));
        Assert.Equal("input-invalid", error.ReasonCode);
    }

    /// <summary>The sample portrait (square, <paramref name="side"/> px) turned a little more each frame: a moving real face.</summary>
    private static async IAsyncEnumerable<Image<Rgb24>> PortraitFrames(int frames, int side)
    {
        using var photo = Image.Load<Rgb24>(Path.Combine(RepositoryRoot(), "infra", "samples", "portrait.jpg"));
        photo.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(side, side), Mode = ResizeMode.Crop }));
        for (int t = 0; t < frames; t++)
        {
            await Task.Yield();
            yield return photo.Clone(x => x.Rotate((float)(3 * Math.Sin(t))).Resize(side, side));
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "infra", "samples", "portrait.jpg"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    /// <summary>Records what the real writer is given (frame count, size, whether the avatar half changes) and forwards it.</summary>
    private sealed class RecordingVideoWriter(IVideoWriter inner) : IVideoWriter
    {
        public int Mp4Frames { get; private set; }
        public int GifFrames { get; private set; }
        public (int Width, int Height) Mp4Size { get; private set; }
        public bool AudioSourceExisted { get; private set; }
        public bool AvatarHalfVaries { get; private set; }

        public Task WriteMp4Async(IAsyncEnumerable<Image<Rgb24>> frames, double fps, string? audioSourcePath, string outputPath, CancellationToken cancellationToken)
        {
            AudioSourceExisted = audioSourcePath is not null && File.Exists(audioSourcePath);
            return inner.WriteMp4Async(Record(frames, cancellationToken), fps, audioSourcePath, outputPath, cancellationToken);
        }

        private async IAsyncEnumerable<Image<Rgb24>> Record(IAsyncEnumerable<Image<Rgb24>> frames, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Rgb24[]? first = null;
            await foreach (var frame in frames.WithCancellation(cancellationToken))
            {
                Mp4Frames++;
                Mp4Size = (frame.Width, frame.Height);
                var pixels = new Rgb24[frame.Width * frame.Height];
                frame.CopyPixelDataTo(pixels);
                var avatarHalf = pixels.Where((_, i) => i % frame.Width >= frame.Width / 2).ToArray();
                if (first is null) first = avatarHalf;
                else if (!first.SequenceEqual(avatarHalf)) AvatarHalfVaries = true;
                yield return frame;
            }
        }

        public Task WriteGifAsync(IAsyncEnumerable<Image<Rgb24>> frames, double fps, int maxSide, string outputPath, CancellationToken cancellationToken) =>
            inner.WriteGifAsync(Count(frames, cancellationToken), fps, maxSide, outputPath, cancellationToken);

        private async IAsyncEnumerable<Image<Rgb24>> Count(IAsyncEnumerable<Image<Rgb24>> frames, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var frame in frames.WithCancellation(cancellationToken))
            {
                GifFrames++;
                yield return frame;
            }
        }
    }
}
