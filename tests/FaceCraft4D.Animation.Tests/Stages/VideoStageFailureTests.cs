using FaceCraft4D.Contracts;
using FaceCraft4D.Priors.LivePortrait;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Animation;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Animation.Tests.Stages;

/// <summary>The liveportrait backend (without weights, and with tiny random networks) and refused work items, on the sample run's inputs.</summary>
[Collection(SampleVideoRunCollection.Name)]
public sealed class VideoStageFailureTests(SampleVideoRun run, ITestOutputHelper output)
{
    private static IReadOnlyDictionary<string, string> Item(int source, int clip) => new Dictionary<string, string>
    {
        ["source"] = source.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["clip"] = clip.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Liveportrait_without_weights_answers_backend_unavailable_naming_what_is_missing()
    {
        var models = Path.Combine(Path.GetTempPath(), "fc4d-empty-models-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(models);
        using var harness = new VideoStageHarness(run.Azurite.CreateBlobStore(), new Dictionary<string, string?> { ["Fc4d:Models:LocalPath"] = models });
        var settings = run.Settings with { VideoPriorBackend = "liveportrait" };
        var e = await Assert.ThrowsAsync<BackendUnavailableException>(() =>
            harness.RunAsync(PipelineStage.AnimateView, run.RunId, "lp-missing", run.StaticInputs, settings, Item(0, 0)));
        output.WriteLine(e.Message);
        Assert.Contains("liveportrait/v1/", e.Message);
        Assert.Contains(LivePortraitModelFolder.MotionExtractor, e.Message);
        Assert.Contains("'rig'", e.Message);
    }

    [Fact]
    public async Task Liveportrait_with_networks_animates_the_source_view_and_records_its_backend()
    {
        torch.set_num_threads(1);
        var networks = LivePortraitNetworks.CreateRandom(TinyLivePortrait(), torch.CPU, 3);
        using var harness = new VideoStageHarness(run.Azurite.CreateBlobStore(),
            new Dictionary<string, string?> { ["Fc4d:Animation:LivePortraitInputSize"] = "64" },
            services => services.AddSingleton(LivePortraitProvider.ForAnimator(new LivePortraitAnimator(networks))));
        var settings = run.Settings with { VideoPriorBackend = "liveportrait" };
        var (result, elapsed) = await harness.RunAsync(PipelineStage.AnimateView, run.RunId, "lp-random", run.StaticInputs, settings, Item(1, 1));
        output.WriteLine($"liveportrait (tiny random networks): {elapsed.TotalSeconds:F2} s; " + string.Join(", ", result.Metrics!.Select(kv => $"{kv.Key} {kv.Value:G4}")));
        Assert.Equal("liveportrait:random", result.Backend);
        var video = System.Text.Json.JsonSerializer.Deserialize<VideoDocument>(
            (await harness.Blobs.TryReadAsync(result.Outputs[VideoStageFiles.Video], CancellationToken.None))!.ToString(), ContractJson.Options)!;
        Assert.Equal(run.Settings.FramesPerClip, video.Frames.Count);
        Assert.Contains("motion-extractor", video.DrivingSignal);
        var frame = StageImageCodec.ReadRgb((await harness.Blobs.TryReadAsync(result.Outputs[video.Frames[2]], CancellationToken.None))!, "frame");
        Assert.Equal((run.Settings.RenderSize, run.Settings.RenderSize), (frame.Width, frame.Height));
    }

    [Theory]
    [InlineData("warp", 0, 0, "unknown-backend")]
    [InlineData("rig", 99, 0, "input-invalid")]
    [InlineData("rig", 0, -1, "input-invalid")]
    public async Task Work_items_that_cannot_work_are_refused_with_a_reason(string backend, int source, int clip, string reason)
    {
        var e = await Assert.ThrowsAsync<StageInputException>(() =>
            run.Harness.RunAsync(PipelineStage.AnimateView, run.RunId, $"bad-{backend}-{source}-{clip}", run.StaticInputs, run.Settings with { VideoPriorBackend = backend }, Item(source, clip)));
        Assert.Equal(reason, e.ReasonCode);
    }

    [Fact]
    public async Task Track_flame_without_videos_is_refused()
    {
        var e = await Assert.ThrowsAsync<StageInputException>(() =>
            run.Harness.RunAsync(PipelineStage.TrackFlame, run.RunId, PipelinePlan.SingleKey, run.StaticInputs, run.Settings));
        Assert.Equal("input-missing", e.ReasonCode);
    }

    /// <summary>The real block structure at a CPU-test size (64 px input, 128 px frames).</summary>
    private static LivePortraitConfig TinyLivePortrait() => new()
    {
        AppearanceFeatureExtractor = new AppearanceFeatureExtractorConfig(3, 8, 2, 32, 4, 8, 2),
        MotionExtractor = new MotionExtractorConfig(5, [1, 1, 2, 1], [8, 16, 16, 24], 66),
        WarpingModule = new WarpingModuleConfig(5, 8, 32, 2, 4, true, new DenseMotionConfig(4, 16, 2, 8, 2)),
        SpadeGenerator = new SpadeGeneratorConfig(2, 8, 32, 2),
        Stitching = new StitchingMlpConfig(30, [16, 8], 17),
        Lip = new StitchingMlpConfig(17, [16], 15),
        Eye = new StitchingMlpConfig(18, [16, 8], 15),
    };
}
