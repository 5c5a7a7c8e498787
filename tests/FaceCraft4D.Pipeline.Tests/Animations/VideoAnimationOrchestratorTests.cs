using System.Collections.Concurrent;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Animations;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Names = FaceCraft4D.Contracts.VideoAnimationContract.Names;

namespace FaceCraft4D.Pipeline.Tests.Animations;

/// <summary>
/// The video animation job's orchestration on the Durable Task in-memory engine, with a scripted stage activity (what a
/// worker would return) and the real publish activity over an in-memory blob store: chunking, the bounded fan-out, the
/// fan-in's inputs, per-chunk progress, reuse counting, permanent failures, and what lands in the avatar folder.
/// </summary>
public sealed class VideoAnimationOrchestratorTests
{
    private const string RunId = "fc4d-00000000000000aa-00000001";

    private static readonly RunPolicy FastPolicy = new(
        JobPollInterval: TimeSpan.FromMilliseconds(10), MaxJobPollInterval: TimeSpan.FromMilliseconds(20), ActivityMaxAttempts: 4,
        ActivityFirstRetryDelay: TimeSpan.FromMilliseconds(10), ActivityMaxRetryDelay: TimeSpan.FromMilliseconds(20));

    /// <summary>Retries after 2 s: long enough to restart the worker host while the job waits.</summary>
    private static readonly RunPolicy SlowRetryPolicy = FastPolicy with
    {
        ActivityFirstRetryDelay = TimeSpan.FromSeconds(2), ActivityMaxRetryDelay = TimeSpan.FromSeconds(2),
    };

    /// <summary>The job's custom status as clients (the CLI's <c>animate</c> table, the API) read it, once it has completed.</summary>
    private const string ExpectedStatus =
        """{"RunId":"{ID}","Preset":"preview","Stages":[""" +
        """{"Name":"track-video","State":2,"Done":3,"Total":3,"Reused":0,"Attempts":4,"Backend":"video-tracker:scripted","Detail":null},""" +
        """{"Name":"video-clip","State":2,"Done":1,"Total":1,"Reused":0,"Attempts":1,"Backend":"video-clip:scripted","Detail":null}],"CurrentStage":null,"Message":"completed"}""";

    [Fact]
    public async Task Chunks_fan_out_at_most_the_bound_at_once_then_fan_in_in_order_and_the_clip_is_published()
    {
        var script = new ScriptedStages { ChunkDelay = TimeSpan.FromMilliseconds(150) };
        var blobs = await AvatarWithIndexAsync();
        await using var host = await StartAsync(script, blobs);
        var input = Input(totalFrames: 230, chunkFrames: 50, parallel: 2);

        var (status, progress, output) = await RunAsync(host, input);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, status);
        // 230 frames in chunks of 50: four of 50 and a 30-frame tail (a tail under a quarter chunk would be merged).
        var chunks = script.Requests.Where(r => r.Stage == PipelineStage.TrackVideo).OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        Assert.Equal(5, chunks.Length);
        Assert.Equal([0, 50, 100, 150, 200], chunks.Select(c => c.IntParameter(Names.FirstFrame)));
        Assert.Equal(230, chunks.Sum(c => c.IntParameter(Names.FrameCount)));
        Assert.All(chunks, c => Assert.Equal((4, 230), (c.IntParameter(Names.Overlap), c.IntParameter(Names.TotalFrames))));
        Assert.All(chunks, c => Assert.Equal(input.Video, c.Input(Names.Video)));
        Assert.All(chunks, c => Assert.Equal(input.Rig, c.Input(Names.Rig)));
        Assert.Equal(VideoAnimationContract.ChunkKey(input.AnimationId, 3), chunks[3].Key);
        Assert.Equal(2, script.MostChunksInFlight);

        var clip = Assert.Single(script.Requests, r => r.Stage == PipelineStage.VideoClip);
        Assert.Equal(input.AnimationId, clip.Key);
        Assert.Equal(5, clip.IntParameter(Names.ChunkCount));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal($"{RunId}/stages/track-video/{VideoAnimationContract.ChunkKey(input.AnimationId, i)}/track.safetensors", clip.Input(Names.ChunkTrack(i)).Name);
        }

        Assert.Equal("relative", clip.Parameters[Names.Mode]);
        Assert.True(script.ClipStartedAfterEveryChunk);

        var track = progress.Stages.Single(s => s.Name == "track-video");
        Assert.Equal((StageState.Completed, 5, 5, 5), (track.State, track.Done, track.Total, track.Attempts));
        Assert.Equal(StageState.Completed, progress.Stages.Single(s => s.Name == "video-clip").State);
        Assert.Equal("completed", progress.Message);
        Assert.Equal("video-tracker:scripted", output!.Backends["track-video"]);
        Assert.Contains("animation/talk.safetensors", output.Artifacts.Keys);
        Assert.Contains("preview/talk.mp4", output.Artifacts.Keys);
        Assert.Equal("report.json", output.Report!.Name.Split('/')[^1]);

        var index = System.Text.Json.Nodes.JsonNode.Parse((await blobs.TryReadAsync(StorageLayout.AvatarArtifact(RunId, "animation/index.json"), default))!.ToString())!;
        var names = index["clips"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToArray();
        Assert.Equal(["clip-00", "talk"], names);
        Assert.Equal("video", index["clips"]![1]!["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Chunks_answered_from_checkpoints_are_counted_as_reused()
    {
        var script = new ScriptedStages { ReusedChunks = { 0, 1 } };
        var blobs = await AvatarWithIndexAsync();
        await using var host = await StartAsync(script, blobs);

        var (status, progress, _) = await RunAsync(host, Input(totalFrames: 120, chunkFrames: 40, parallel: 4));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, status);
        var track = progress.Stages.Single(s => s.Name == "track-video");
        Assert.Equal((3, 3, 2), (track.Done, track.Total, track.Reused));
    }

    [Fact]
    public async Task A_chunk_the_worker_refuses_fails_the_job_at_once_with_its_reason_and_nothing_is_published()
    {
        var script = new ScriptedStages { RefusedChunk = 1 };
        var blobs = await AvatarWithIndexAsync();
        await using var host = await StartAsync(script, blobs);

        var (status, progress, _) = await RunAsync(host, Input(totalFrames: 100, chunkFrames: 50, parallel: 1));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, status);
        var track = progress.Stages.Single(s => s.Name == "track-video");
        Assert.Equal(StageState.Failed, track.State);
        Assert.Contains("no face on frames 50-99", track.Detail);
        Assert.Equal(2, track.Attempts); // chunk 0, chunk 1 once: a rejected input is not retried
        Assert.DoesNotContain(script.Requests, r => r.Stage == PipelineStage.VideoClip);
        Assert.Null(await blobs.GetInfoAsync(StorageLayout.AvatarArtifact(RunId, "animation/talk.safetensors"), default));
    }

    [Fact]
    public async Task With_work_items_as_jobs_every_chunk_is_a_job_sub_orchestration_of_the_animation()
    {
        var script = new ScriptedStages { ReusedChunks = { 1 } };
        var blobs = await AvatarWithIndexAsync();
        await using var host = await StartAsync(script, blobs);
        var input = Input(totalFrames: 120, chunkFrames: 40, parallel: 2) with { Policy = FastPolicy with { WorkItemsAsJobs = true } };

        var (status, progress, _) = await RunAsync(host, input);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, status);
        Assert.DoesNotContain(script.ActivityStages, s => s == PipelineStage.TrackVideo); // no chunk polled inside an activity
        Assert.Contains(PipelineStage.VideoClip, script.ActivityStages);
        for (var i = 0; i < 3; i++)
        {
            var child = await host.Client.GetInstanceAsync($"{input.InstanceId}.track-video.{VideoAnimationContract.ChunkKey(input.AnimationId, i)}");
            Assert.True(child is { Name: DurableNames.StageJobOrchestrator, RuntimeStatus: OrchestrationRuntimeStatus.Completed }, $"chunk {i}");
        }

        var track = progress.Stages.Single(s => s.Name == "track-video");
        Assert.Equal((StageState.Completed, 3, 3, 1, 3), (track.State, track.Done, track.Total, track.Reused, track.Attempts));
    }

    [Fact]
    public async Task A_clip_name_taken_by_a_bundled_clip_fails_the_job_without_retrying_the_publication()
    {
        var script = new ScriptedStages();
        var blobs = await AvatarWithIndexAsync();
        await using var host = await StartAsync(script, blobs);

        var (status, progress, _) = await RunAsync(host, Input(totalFrames: 40, chunkFrames: 40, parallel: 1) with { Name = "clip-00" });

        Assert.Equal(OrchestrationRuntimeStatus.Failed, status);
        Assert.Equal(1, script.Publications); // FastPolicy allows four attempts: a taken name is final
        var clip = progress.Stages.Single(s => s.Name == "video-clip");
        Assert.Equal(StageState.Failed, clip.State);
        Assert.Contains("clip-00", clip.Detail);
        Assert.Equal("track-flame", System.Text.Json.Nodes.JsonNode.Parse((await blobs.TryReadAsync(StorageLayout.AvatarArtifact(RunId, "animation/index.json"), default))!.ToString())!
            ["clips"]![0]!["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_job_whose_host_restarts_while_it_waits_to_retry_a_chunk_completes_with_the_status_of_an_uninterrupted_job()
    {
        // A chunk fails once; while the job waits on the retry timer (nothing in flight), the worker host is stopped and a
        // new one started on the same engine: it rebuilds the job (and its progress) by replaying the history.
        var input = Input(totalFrames: 120, chunkFrames: 40, parallel: 1) with { Policy = SlowRetryPolicy };
        var uninterrupted = new ScriptedStages { FailOnceChunk = 1 };
        var blobs = await AvatarWithIndexAsync();
        string expected;
        await using (var host = await StartAsync(uninterrupted, blobs))
        {
            var (status, _, _) = await RunAsync(host, input);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, status);
            expected = (await host.Client.GetInstanceAsync(input.InstanceId, getInputsAndOutputs: true))!.SerializedCustomStatus!;
        }

        var before = new ScriptedStages { FailOnceChunk = 1 };
        var after = new ScriptedStages();
        var restartedBlobs = await AvatarWithIndexAsync();
        await using var engine = await RestartableDurableEngine.StartAsync();
        await engine.StartWorkerAsync(registry => Register(registry, before, restartedBlobs));
        await engine.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.VideoAnimationOrchestrator, input, new StartOrchestrationOptions(input.InstanceId));
        var failedAt = await before.FailedOnce.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            // The episode that handled the failure has been saved: the job now waits on its retry timer.
            while ((await engine.Client.GetInstanceAsync(input.InstanceId, timeout.Token))!.LastUpdatedAt <= failedAt)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        await engine.StopWorkerAsync();
        await engine.StartWorkerAsync(registry => Register(registry, after, restartedBlobs));
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var metadata = await engine.Client.WaitForInstanceCompletionAsync(input.InstanceId, getInputsAndOutputs: true, wait.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(WithoutTiming(expected), WithoutTiming(metadata.SerializedCustomStatus!));
        Assert.Equal(ExpectedStatus.Replace("{ID}", input.InstanceId, StringComparison.Ordinal), WithoutTiming(metadata.SerializedCustomStatus!));
        // The restarted host ran only what was left: chunk 1's retry, chunk 2 and the fan-in.
        Assert.Equal([VideoAnimationContract.ChunkKey(input.AnimationId, 0), VideoAnimationContract.ChunkKey(input.AnimationId, 1)],
            before.Requests.Where(r => r.Stage == PipelineStage.TrackVideo).Select(r => r.Key));
        Assert.Equal([VideoAnimationContract.ChunkKey(input.AnimationId, 1), VideoAnimationContract.ChunkKey(input.AnimationId, 2), input.AnimationId],
            after.Requests.Select(r => r.Key));
        Assert.Equal(["track-video", "video-clip"], metadata.ReadOutputAs<VideoAnimationOutput>()!.Backends.Keys.Order(StringComparer.Ordinal));
    }

    private static VideoAnimationInput Input(int totalFrames, int chunkFrames, int parallel)
    {
        var animationId = AnimationIdentity.For(RunId, new string('7', 64), "talk", 25, ExpressionTransfer.Relative);
        return new VideoAnimationInput(
            RunId, animationId, VideoAnimationContract.VideoInput(RunId, animationId, "video.mp4") with { Sha256 = new string('7', 64) },
            StorageLayout.AvatarArtifact(RunId, "avatar_rig.safetensors") with { Sha256 = "rig" }, "talk", 25, ExpressionTransfer.Relative,
            chunkFrames, 4, totalFrames, parallel, PipelinePresets.Preview, FastPolicy, ["several faces: took the largest"]);
    }

    private static async Task<InMemoryBlobStore> AvatarWithIndexAsync()
    {
        var blobs = new InMemoryBlobStore();
        await blobs.WriteAsync(StorageLayout.AvatarArtifact(RunId, "animation/index.json"), BinaryData.FromString(
            """{"format":"fc4d-avatar-animation/1","rig":"avatar_rig.safetensors","gaussians":10,"triangles":4,"clips":[{"name":"clip-00","file":"animation/clip-00.safetensors","frames":4,"fps":25,"source":"track-flame","posedPly":[]}]}"""),
            "application/json", default);
        return blobs;
    }

    private static async Task<(OrchestrationRuntimeStatus Status, RunProgress Progress, VideoAnimationOutput? Output)> RunAsync(
        DurableTaskTestHost host, VideoAnimationInput input)
    {
        await host.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.VideoAnimationOrchestrator, input, new StartOrchestrationOptions(input.InstanceId));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var metadata = await host.Client.WaitForInstanceCompletionAsync(input.InstanceId, getInputsAndOutputs: true, timeout.Token);
        var output = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<VideoAnimationOutput>() : null;
        return (metadata.RuntimeStatus, metadata.ReadCustomStatusAs<RunProgress>()!, output);
    }

    private static Task<DurableTaskTestHost> StartAsync(ScriptedStages script, IBlobStore blobs)
    {
        return InProcessDurableHost.StartAsync(registry => Register(registry, script, blobs));
    }

    private static void Register(DurableTaskRegistry registry, ScriptedStages script, IBlobStore blobs)
    {
        var publisher = new AnimationPublisher(blobs, NullLogger<AnimationPublisher>.Instance);
        registry.AddOrchestratorFunc<VideoAnimationInput, VideoAnimationOutput>(DurableNames.VideoAnimationOrchestrator, VideoAnimationOrchestrator.RunAsync);
        registry.AddActivityFunc<StageRequest, StageOutcome>(DurableNames.RunStageActivity, (_, r) =>
        {
            script.ActivityStages.Enqueue(r.Stage);
            return script.RunStageAsync(r, blobs);
        });
        registry.AddOrchestratorFunc<StageJobInput, StageOutcome>(DurableNames.StageJobOrchestrator, StageJobOrchestrator.RunAsync);
        registry.AddActivityFunc<StageRequest, JobPoll>(DurableNames.SubmitStageJobActivity, (_, _) =>
            Task.FromResult(new JobPoll(JobState.Queued, null, null, Resubmitted: false, WorkerCalls: 1)));
        registry.AddActivityFunc<StageRequest, JobPoll>(DurableNames.PollStageJobActivity, async (_, r) =>
        {
            var outcome = await script.RunStageAsync(r, blobs);
            return new JobPoll(JobState.Succeeded, null, outcome, Resubmitted: false, WorkerCalls: 1);
        });
        registry.AddActivityFunc<AnimationPublication, IReadOnlyDictionary<string, BlobRef>>(
            DurableNames.PublishAnimationActivity, (_, p) =>
            {
                Interlocked.Increment(ref script.Publications);
                return publisher.PublishAsync(p, CancellationToken.None);
            });
    }

    /// <summary>A custom status without the stages' <c>Timing</c> (wall times on the orchestration clock differ between runs).</summary>
    private static string WithoutTiming(string status)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(status)!;
        foreach (var stage in node["Stages"]!.AsArray())
        {
            stage!.AsObject().Remove("Timing");
        }

        node.AsObject().Remove("Timing");
        return node.ToJsonString();
    }

    /// <summary>What the worker would answer for each work item: outputs under the item's stage folder.</summary>
    private sealed class ScriptedStages
    {
        /// <summary>Calls of the publish activity.</summary>
        public int Publications;

        private int inFlight;
        private int chunksFinished;

        public ConcurrentQueue<StageRequest> Requests { get; } = new();

        /// <summary>Stages of the work items that ran inside one activity (<see cref="DurableNames.RunStageActivity"/>).</summary>
        public ConcurrentQueue<PipelineStage> ActivityStages { get; } = new();

        public TimeSpan ChunkDelay { get; init; } = TimeSpan.FromMilliseconds(20);

        public HashSet<int> ReusedChunks { get; } = [];

        public int? RefusedChunk { get; init; }

        /// <summary>A chunk whose first attempt fails with a transient error (retried by the job).</summary>
        public int? FailOnceChunk { get; init; }

        /// <summary>Completed with the time of that failure.</summary>
        public TaskCompletionSource<DateTimeOffset> FailedOnce { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int MostChunksInFlight { get; private set; }

        public bool ClipStartedAfterEveryChunk { get; private set; }

        public async Task<StageOutcome> RunStageAsync(StageRequest request, IBlobStore blobs)
        {
            Requests.Enqueue(request);
            if (request.Stage == PipelineStage.TrackVideo)
            {
                var chunk = int.Parse(request.Key[^3..], System.Globalization.CultureInfo.InvariantCulture);
                if (chunk == RefusedChunk)
                {
                    var first = request.IntParameter(Names.FirstFrame);
                    throw new StageInputRejectedException($"no face on frames {first}-{first + request.IntParameter(Names.FrameCount) - 1}");
                }

                if (chunk == FailOnceChunk && FailedOnce.TrySetResult(DateTimeOffset.UtcNow))
                {
                    throw new HttpRequestException("worker unreachable");
                }

                var now = Interlocked.Increment(ref inFlight);
                lock (Requests)
                {
                    MostChunksInFlight = Math.Max(MostChunksInFlight, now);
                }

                await Task.Delay(ChunkDelay);
                Interlocked.Decrement(ref inFlight);
                Interlocked.Increment(ref chunksFinished);
                var track = StorageLayout.StageOutput(request.RunId, request.Stage, request.Key, VideoAnimationContract.Files.TrackFile);
                return new StageOutcome(request.Stage, request.Key, new Dictionary<string, BlobRef> { [VideoAnimationContract.Files.TrackFile] = track },
                    "video-tracker:scripted", Reused: ReusedChunks.Contains(chunk), 20, 1);
            }

            ClipStartedAfterEveryChunk = Volatile.Read(ref chunksFinished) == request.IntParameter(Names.ChunkCount);
            var outputs = new Dictionary<string, BlobRef>();
            foreach (var file in new[] { VideoAnimationContract.Files.Clip, VideoAnimationContract.Files.PreviewMp4, VideoAnimationContract.Files.Report })
            {
                outputs[file] = await blobs.WriteAsync(
                    StorageLayout.StageOutput(request.RunId, request.Stage, request.Key, file), ClipFile(frames: 7), "application/octet-stream", default);
            }

            return new StageOutcome(request.Stage, request.Key, outputs, "video-clip:scripted", Reused: false, 30, 1);
        }
    }

    /// <summary>A minimal safetensors file whose metadata says how many frames it has.</summary>
    internal static BinaryData ClipFile(int frames)
    {
        var header = System.Text.Encoding.UTF8.GetBytes($"{{\"__metadata__\":{{\"format\":\"fc4d-avatar-animation/1\",\"frames\":\"{frames}\"}}}}");
        var bytes = new byte[8 + header.Length];
        BitConverter.GetBytes((ulong)header.Length).CopyTo(bytes, 0);
        header.CopyTo(bytes, 8);
        return new BinaryData(bytes);
    }
}
