using System.Net.Http.Headers;
using System.Text.Json;
using FaceCraft4D.Api;
using FaceCraft4D.Api.Animations;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Animations;
using FaceCraft4D.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests.Animations;

/// <summary>
/// <c>/api/avatars/{id}/animations</c> against the shared handlers: the Durable Task in-memory engine (a finished run, a
/// running one, and the job orchestration replaced by a double), an in-memory blob store, and doubles for the caller's
/// access (<see cref="IRunAccess"/>) and the worker's video screen. Every refusal must leave storage untouched.
/// </summary>
public sealed class AnimationHttpHandlerTests : IAsyncLifetime
{
    private const string Finished = "fc4d-00000000000000f1-00000001";
    private const string Running = "fc4d-00000000000000f2-00000001";
    private const string Unknown = "fc4d-00000000000000f3-00000001";
    private const string Foreign = "fc4d-00000000000000f4-00000001";

    private readonly InMemoryBlobStore blobs = new();
    private readonly ScreenDouble screen = new();
    private readonly TaskCompletionSource holdRunning = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DurableTaskTestHost durable = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        durable = await InProcessDurableHost.StartAsync(registry =>
        {
            registry.AddOrchestratorFunc<RunInput, RunOutput>(DurableNames.AvatarRunOrchestrator, async (context, input) =>
            {
                if (input.RunId == Running)
                {
                    await context.CreateTimer(TimeSpan.FromMinutes(10), CancellationToken.None);
                }

                return new RunOutput(input.RunId, new Dictionary<string, BlobRef>
                {
                    ["avatar_rig.safetensors"] = StorageLayout.AvatarArtifact(input.RunId, "avatar_rig.safetensors") with { Sha256 = "rig" },
                }, new Dictionary<string, string>(), []);
            });
            registry.AddOrchestratorFunc<VideoAnimationInput, VideoAnimationOutput>(DurableNames.VideoAnimationOrchestrator, (context, input) =>
            {
                context.SetCustomStatus(new RunProgress(input.InstanceId, "preview", [], null, $"{input.TotalFrames} frames"));
                return Task.FromResult(new VideoAnimationOutput(input.RunId, input.AnimationId, input.Name, new Dictionary<string, BlobRef>(), new Dictionary<string, string>(), [], null));
            });
        });
        foreach (var run in new[] { Finished, Running, Foreign })
        {
            await durable.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.AvatarRunOrchestrator,
                new RunInput(run, StorageLayout.RunInput(run, "portrait.jpg"), PipelinePresets.Preview, RunPolicy.Default, RunSource.Cli),
                new StartOrchestrationOptions(run));
            await blobs.WriteAsync(StorageLayout.AvatarArtifact(run, "avatar_rig.safetensors"), BinaryData.FromString("rig"), "application/octet-stream", default);
            await blobs.WriteAsync(StorageLayout.AvatarArtifact(run, "animation/index.json"), BinaryData.FromString(
                """{"format":"fc4d-avatar-animation/1","clips":[{"name":"clip-00","file":"animation/clip-00.safetensors","frames":4,"fps":25,"source":"track-flame"}]}"""),
                "application/json", default);
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await durable.Client.WaitForInstanceCompletionAsync(Finished, cancellation: wait.Token);
        services = new ServiceCollection().AddLogging().BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await durable.DisposeAsync();
        Directory.Delete(TempFolder, recursive: true);
    }

    [Fact]
    public async Task A_video_on_a_finished_run_is_screened_stored_and_started_and_its_status_and_list_answer()
    {
        var before = BlobCount();
        var context = Upload(Finished, Video(3000), ("name", "talk"), ("mode", "absolute"), ("fps", "20"));

        await Handlers().SubmitAsync(context, Finished);

        Assert.Equal(202, context.Response.StatusCode);
        using var body = Json(context);
        var animationId = body.RootElement.GetProperty("animationId").GetString()!;
        Assert.Equal(AnimationIdentity.For(Finished, ContentHash.Of(Video(3000)), "talk", 20, ExpressionTransfer.Absolute), animationId);
        Assert.EndsWith($"/api/avatars/{Finished}/animations/{animationId}", context.Response.Headers.Location.ToString());
        Assert.Equal(["several faces (up to 2) on 1 of 8 sampled frames: took the largest"], body.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(1, screen.Calls);
        Assert.Equal(before + 1, BlobCount());
        var stored = await blobs.TryReadAsync(VideoAnimationContract.VideoInput(Finished, animationId, "video.mp4"), default);
        Assert.Equal(Video(3000), stored!.ToArray());

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var done = await durable.Client.WaitForInstanceCompletionAsync(AnimationIdentity.InstanceId(Finished, animationId), getInputsAndOutputs: true, wait.Token);
        var input = done.ReadInputAs<VideoAnimationInput>()!;
        Assert.Equal((200, 20.0, ExpressionTransfer.Absolute, "talk"), (input.TotalFrames, input.Fps, input.Mode, input.Name)); // 10 s at 20 fps
        Assert.Equal("rig", input.Rig.Sha256);
        Assert.Equal(ContentHash.Of(Video(3000)), input.Video.Sha256);

        var status = Get($"/api/avatars/{Finished}/animations/{animationId}");
        await Handlers().GetStatusAsync(status, Finished, animationId);
        Assert.Equal(200, status.Response.StatusCode);
        using var view = Json(status);
        Assert.Equal("Completed", view.RootElement.GetProperty("runtimeStatus").GetString());
        Assert.EndsWith("/artifacts/preview/talk.mp4", view.RootElement.GetProperty("urls").GetProperty("previewMp4Uri").GetString());

        var list = Get($"/api/avatars/{Finished}/animations");
        await Handlers().ListAsync(list, Finished);
        using var listed = Json(list);
        Assert.Equal([animationId], listed.RootElement.EnumerateArray().Select(a => a.GetProperty("animationId").GetString()));

        // The same video, name, fps and mode again: the same job, not screened or stored again.
        var again = Upload(Finished, Video(3000), ("name", "talk"), ("mode", "absolute"), ("fps", "20"));
        await Handlers().SubmitAsync(again, Finished);
        using var second = Json(again);
        Assert.False(second.RootElement.GetProperty("created").GetBoolean());
        Assert.Equal(1, screen.Calls);
    }

    [Theory]
    [InlineData(Running, 409, "run-not-finished")]
    [InlineData(Unknown, 404, "run-not-found")]
    [InlineData(Foreign, 404, "not-yours")]
    public async Task Runs_that_are_not_finished_unknown_or_not_the_callers_are_refused_before_anything_is_screened_or_stored(
        string run, int status, string reason)
    {
        var before = BlobCount();
        var context = Upload(run, Video(100));

        await Handlers().SubmitAsync(context, run);

        Assert.Equal(status, context.Response.StatusCode);
        using var body = Json(context);
        Assert.Equal(reason, body.RootElement.GetProperty("reason").GetString());
        Assert.Equal(0, screen.Calls);
        Assert.Equal(before, BlobCount());
    }

    [Fact]
    public async Task Reads_of_another_callers_run_are_refused_by_the_access_check()
    {
        var status = Get($"/api/avatars/{Foreign}/animations");
        await Handlers().ListAsync(status, Foreign);
        Assert.Equal(404, status.Response.StatusCode);
        Assert.Equal([(Foreign, RunPermission.Read)], access.Asked.Where(a => a.Run == Foreign));
    }

    [Theory]
    [InlineData("no-face", 422)]
    [InlineData("not-a-video", 400)]
    [InlineData("unsupported-codec", 422)]
    [InlineData("too-long", 422)]
    public async Task A_video_the_worker_screen_refuses_is_a_4xx_with_a_stable_message_and_nothing_is_stored(string reason, int status)
    {
        screen.Refusal = (reason, status);
        var before = BlobCount();
        var context = Upload(Finished, Video(500));

        await Handlers().SubmitAsync(context, Finished);

        Assert.Equal(status, context.Response.StatusCode);
        using var body = Json(context);
        Assert.Equal(reason, body.RootElement.GetProperty("reason").GetString());
        Assert.Equal(VideoRefusalMessages.For(reason).Message, body.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("/tmp", body.RootElement.GetProperty("detail").GetString());
        Assert.Equal(before, BlobCount());
        Assert.Empty(await InstancesAsync());
    }

    [Fact]
    public async Task Bad_fields_an_oversized_video_or_a_missing_file_are_refused_without_storing_anything()
    {
        var before = BlobCount();
        (string Reason, int Status) Refusal(HttpContext c)
        {
            using var body = Json(c);
            return (body.RootElement.GetProperty("reason").GetString()!, c.Response.StatusCode);
        }

        var big = Upload(Finished, Video(5000));
        await Handlers(maxBytes: 4096).SubmitAsync(big, Finished);
        Assert.Equal(("too-large", 413), Refusal(big));

        var name = Upload(Finished, Video(100), ("name", "../x"));
        await Handlers().SubmitAsync(name, Finished);
        Assert.Equal(("invalid-name", 400), Refusal(name));

        var mode = Upload(Finished, Video(100), ("mode", "sideways"));
        await Handlers().SubmitAsync(mode, Finished);
        Assert.Equal(("invalid-mode", 400), Refusal(mode));

        var fps = Upload(Finished, Video(100), ("fps", "1000"));
        await Handlers().SubmitAsync(fps, Finished);
        Assert.Equal(("invalid-fps", 400), Refusal(fps));

        var taken = Upload(Finished, Video(100), ("name", "clip-00"));
        await Handlers().SubmitAsync(taken, Finished);
        Assert.Equal(("name-taken", 409), Refusal(taken));

        var noFile = Upload(Finished, null, ("name", "talk"));
        await Handlers().SubmitAsync(noFile, Finished);
        Assert.Equal(("missing-video", 400), Refusal(noFile));

        var json = Get($"/api/avatars/{Finished}/animations");
        json.Request.Method = "POST";
        json.Request.ContentType = "application/json";
        json.Request.Body = new MemoryStream("{}"u8.ToArray());
        await Handlers().SubmitAsync(json, Finished);
        Assert.Equal(("unsupported-media-type", 415), Refusal(json));

        Assert.Equal(0, screen.Calls);
        Assert.Equal(before, BlobCount());
        Assert.Empty(Directory.GetFiles(TempFolder));
    }

    [Fact]
    public async Task A_video_dropped_into_uploads_animations_starts_a_job_once_and_a_refused_one_is_moved_aside_with_its_reason()
    {
        var upload = new BlobRef(StorageLayout.UploadsContainer, $"animations/{Finished}/Talk-2.mp4");
        await blobs.WriteAsync(upload, new BinaryData(Video(800)), "video/mp4", default);
        var intake = Intake();

        var animationId = await intake.ProcessAsync(upload.Name, default);

        Assert.Equal(AnimationIdentity.For(Finished, ContentHash.Of(Video(800)), "talk-2", 25, ExpressionTransfer.Relative), animationId);
        Assert.Equal(animationId, (await blobs.GetInfoAsync(upload, default))!.Metadata[VideoUploadIntake.AnimationIdMetadataKey]);
        Assert.Null(await intake.ProcessAsync(upload.Name, default)); // tagged: processed once
        Assert.Equal(1, screen.Calls);

        screen.Refusal = ("no-face", 422);
        var faceless = new BlobRef(StorageLayout.UploadsContainer, $"animations/{Finished}/empty-room.mp4");
        await blobs.WriteAsync(faceless, new BinaryData(Video(900)), "video/mp4", default);
        Assert.Null(await intake.ProcessAsync(faceless.Name, default));
        Assert.Null(await blobs.GetInfoAsync(faceless, default));
        var reason = await blobs.TryReadAsync(new BlobRef(StorageLayout.RejectedUploadsContainer, faceless.Name + ".reason.json"), default);
        Assert.Contains("\"no-face\"", reason!.ToString());
        Assert.NotNull(await blobs.GetInfoAsync(new BlobRef(StorageLayout.RejectedUploadsContainer, faceless.Name), default));

        var notFinished = new BlobRef(StorageLayout.UploadsContainer, $"animations/{Running}/talk.mp4");
        await blobs.WriteAsync(notFinished, new BinaryData(Video(700)), "video/mp4", default);
        Assert.Null(await intake.ProcessAsync(notFinished.Name, default));
        Assert.Contains("run-not-finished", (await blobs.TryReadAsync(new BlobRef(StorageLayout.RejectedUploadsContainer, notFinished.Name + ".reason.json"), default))!.ToString());
        Assert.Equal(2, screen.Calls);
    }

    [Fact]
    public async Task A_video_upload_for_a_run_the_uploader_does_not_own_is_refused_like_a_missing_run_before_it_is_read()
    {
        const string alicesRun = "fc4d-00000000000000f5-00000001";
        await durable.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.AvatarRunOrchestrator,
            new RunInput(alicesRun, StorageLayout.RunInput(alicesRun, "portrait.jpg"), PipelinePresets.Preview, RunPolicy.Default, RunSource.Http, Owner: "alice"),
            new StartOrchestrationOptions(alicesRun));
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await durable.Client.WaitForInstanceCompletionAsync(alicesRun, cancellation: wait.Token);
        }

        await blobs.WriteAsync(StorageLayout.AvatarArtifact(alicesRun, "avatar_rig.safetensors"), BinaryData.FromString("rig"), "application/octet-stream", default);
        await blobs.WriteAsync(StorageLayout.AvatarArtifact(alicesRun, "animation/index.json"), BinaryData.FromString("{\"clips\":[]}"), "application/json", default);

        // The local stack: every upload is the local owner's, who does not own Alice's run.
        var local = new BlobRef(StorageLayout.UploadsContainer, $"animations/{alicesRun}/talk.mp4");
        await blobs.WriteAsync(local, new BinaryData(Video(500)), "video/mp4", default);
        Assert.Null(await Intake().ProcessAsync(local.Name, default));
        Assert.Equal("run-not-found", await RejectionReasonAsync(local));

        // Azure: the owner folder names the uploader.
        var byBob = new BlobRef(StorageLayout.UploadsContainer, $"animations/bob/{alicesRun}/talk.mp4");
        var noOwner = new BlobRef(StorageLayout.UploadsContainer, $"animations/{alicesRun}/other.mp4");
        var byAlice = new BlobRef(StorageLayout.UploadsContainer, $"animations/alice/{alicesRun}/talk.mp4");
        foreach (var upload in new[] { byBob, noOwner, byAlice })
        {
            await blobs.WriteAsync(upload, new BinaryData(Video(600)), "video/mp4", default);
        }

        var azure = Intake(ownerFromPath: true);
        Assert.Null(await azure.ProcessAsync(byBob.Name, default));
        Assert.Null(await azure.ProcessAsync(noOwner.Name, default));
        Assert.Equal(0, screen.Calls); // nothing of a refused video was screened
        Assert.Empty(await InstancesAsync(alicesRun));
        var started = await azure.ProcessAsync(byAlice.Name, default);

        Assert.Equal("run-not-found", await RejectionReasonAsync(byBob));
        Assert.Equal("no-owner", await RejectionReasonAsync(noOwner));
        Assert.NotNull(started);
        Assert.Equal([AnimationIdentity.InstanceId(alicesRun, started!)], await InstancesAsync(alicesRun));
    }

    private async Task<string?> RejectionReasonAsync(BlobRef upload)
    {
        var reason = await blobs.TryReadAsync(new BlobRef(StorageLayout.RejectedUploadsContainer, upload.Name + ".reason.json"), default);
        return reason is null ? null : JsonDocument.Parse(reason.ToString()).RootElement.GetProperty("reason").GetString();
    }

    private readonly AccessDouble access = new();

    private VideoUploadIntake Intake(bool ownerFromPath = false)
    {
        var options = Options.Create(new AnimationOptions { TempDirectory = TempFolder });
        var service = new AnimationService(
            durable.Client, blobs, screen, new RunSubmissionGates(), options, Options.Create(new PipelineOptions()), Options.Create(new ApiOptions()),
            NullLogger<AnimationService>.Instance);
        return new VideoUploadIntake(blobs, service, options, NullLogger<VideoUploadIntake>.Instance, Options.Create(new ApiOptions { UploadOwnerFromPath = ownerFromPath }));
    }

    private string TempFolder { get; } = Directory.CreateTempSubdirectory("fc4d-anim-test-").FullName;

    private AnimationHttpHandlers Handlers(long maxBytes = 1024 * 1024)
    {
        var options = Options.Create(new AnimationOptions { MaxUploadBytes = maxBytes, TempDirectory = TempFolder });
        var service = new AnimationService(
            durable.Client, blobs, screen, new RunSubmissionGates(), options, Options.Create(new PipelineOptions()), Options.Create(new ApiOptions()),
            NullLogger<AnimationService>.Instance);
        return new AnimationHttpHandlers(service, access, options);
    }

    private int BlobCount() => blobs.Count;

    private async Task<IReadOnlyList<string>> InstancesAsync(string run = Finished)
    {
        var found = new List<string>();
        await foreach (var i in durable.Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = run + ".anim-" }))
        {
            found.Add(i.InstanceId);
        }

        return found;
    }

    private static byte[] Video(int bytes) => Enumerable.Range(0, bytes).Select(i => (byte)(i * 7)).ToArray();

    private DefaultHttpContext Upload(string run, byte[]? video, params (string Name, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent("fc4d-test-boundary");
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        if (video is not null)
        {
            var file = new ByteArrayContent(video);
            file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
            form.Add(file, "video", "clip.mp4");
        }

        var context = Get($"/api/avatars/{run}/animations");
        context.Request.Method = "POST";
        context.Request.ContentType = form.Headers.ContentType!.ToString();
        context.Request.Body = new MemoryStream(form.ReadAsByteArrayAsync().GetAwaiter().GetResult());
        return context;
    }

    private DefaultHttpContext Get(string path)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1:7071");
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static JsonDocument Json(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return JsonDocument.Parse(context.Response.Body);
    }

    /// <summary>The caller owns every run except <see cref="Foreign"/>, which answers 404 as the product's check does.</summary>
    private sealed class AccessDouble : IRunAccess
    {
        public List<(string Run, RunPermission Permission)> Asked { get; } = [];

        public async Task<bool> AuthorizeAsync(HttpContext context, string runId, RunPermission permission, CancellationToken cancellationToken)
        {
            Asked.Add((runId, permission));
            if (runId != Foreign)
            {
                return true;
            }

            await Results.Problem(statusCode: 404, detail: "not found", extensions: new Dictionary<string, object?> { ["reason"] = "not-yours" })
                .ExecuteAsync(context);
            return false;
        }
    }

    /// <summary>The worker's screen: a 10 s video with a second face on one sampled frame, or the configured refusal.</summary>
    private sealed class ScreenDouble : IVideoScreen
    {
        public int Calls { get; private set; }

        public (string Reason, int Status)? Refusal { get; set; }

        public Task<VideoScreening> ScreenAsync(string path, string? fileName, CancellationToken cancellationToken)
        {
            Calls++;
            Assert.True(File.Exists(path));
            if (Refusal is { } refused)
            {
                var (reason, message, _) = VideoRefusalMessages.For(refused.Reason);
                throw new InvalidAnimationRequestException(reason, message, refused.Status);
            }

            return Task.FromResult(new VideoScreening(true, null, "ok", 10.0, 640, 480, "h264", 30, true, 8, 8, 2, "double",
                ["several faces (up to 2) on 1 of 8 sampled frames: took the largest"]));
        }
    }
}
