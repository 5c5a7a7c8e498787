using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Xunit;
using Xunit.Abstractions;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// Issue 15 end to end on the real local stack, as a user runs it: <c>fc4d-local host</c> as its own process (Azurite, the
/// durable engine, a real CPU GPU-worker with the real stage handlers), the sample portrait made into a small avatar,
/// then a short talking-head video made at test time with ffmpeg from the same portrait (a head tilt and a sideways pan, a sine
/// audio track) dropped into <c>uploads/animations/{runId}/</c>. The job is killed with SIGKILL after its first tracking
/// chunk checkpointed; the restarted host finishes it without tracking that chunk again (its checkpoint blob is
/// untouched); the clip is in <c>animation/index.json</c> next to the avatar's own clip with its side-by-side previews;
/// and the viewer, in headless Chromium, lists the clip, links the preview and poses the avatar differently at
/// different time steps. Checked from outside only (HTTP, the blob endpoint, the browser).
/// </summary>
public sealed class VideoAnimationEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string Settings =
        "{\"renderSize\":48,\"viewCount\":4,\"sourceViewCount\":2,\"clipCount\":1,\"framesPerClip\":4," +
        "\"staticIterations\":60,\"coinIterations\":40,\"checkpointEvery\":20," +
        "\"trackingFirstFrameIterations\":10,\"trackingPerFrameIterations\":3,\"trackingGlobalEpochs\":1}";

    private const string ClipName = "talk";
    private const double VideoSeconds = 1.6; // 40 frames at 25 fps: four chunks of 10
    private const int ChunkFrames = 10;

    private readonly string data = Path.Combine(Path.GetTempPath(), "fc4d-tests", "video-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The host started last: stopped in <see cref="Dispose"/> if a failed assertion left it running.</summary>
    private LocalHostProcess? started;

    [Fact]
    public async Task A_video_drives_the_avatar_survives_kill9_during_tracking_and_plays_in_the_viewer()
    {
        Directory.CreateDirectory(data);
        var repo = RepositoryLayout.Locate();
        var port = FreeTcpPort.Find();
        var log = Path.Combine(data, "host-console.log");
        var configuration = new Dictionary<string, string>(TestConfiguration.Fast("videojob").Concat(TestConfiguration.SmallOutputs))
        {
            ["Fc4d:Local:DataDirectory"] = data,
            ["Fc4d:Local:WorkerMaxConcurrentJobs"] = "1",
            ["Fc4d:GpuWorker:AttemptTimeout"] = "00:00:30",
            ["Fc4d:Animations:ChunkFrames"] = ChunkFrames.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fc4d:Animations:MaxParallelChunks"] = "1",
        };
        await using var logs = FailedTestLogs.For(output);
        foreach (var path in LocalHostProcess.LogPathsOf(configuration, log))
        {
            logs.Add(path);
        }

        var video = await MakeVideoAsync(Path.Combine(repo.Root, "infra", "samples", "portrait.jpg"), Path.Combine(data, $"{ClipName}.mp4"));
        var clock = Stopwatch.StartNew();

        var host = started = await LocalHostProcess.StartInOwnGroupAsync(port, configuration, log);
        var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        var runId = await PortraitSubmission.SubmitAsync(http, await File.ReadAllBytesAsync(Path.Combine(repo.Root, "infra", "samples", "portrait.jpg")), Settings);
        var run = await RunStatusPoller.WaitUntilEndedAsync(http, runId, TimeSpan.FromMinutes(8));
        Assert.True(run!.RuntimeStatus == "Completed", $"{run.RuntimeStatus}: {run.Error}");
        output.WriteLine($"avatar run done after {clock.Elapsed.TotalSeconds:F0} s");
        output.WriteLine(RunTimingText.Of(run.Output!));

        // The video goes in through the uploads folder (the blob trigger's local twin).
        var store = await LocalHostProcess.BlobStoreAsync(log);
        await store.WriteAsync(new BlobRef(StorageLayout.UploadsContainer, $"{VideoAnimationContract.UploadPrefix}{runId}/{ClipName}.mp4"),
            new BinaryData(video), "video/mp4", CancellationToken.None);
        var beforeKill = await Poll.UntilAsync(() => ChunkCheckpointsAsync(store, runId), c => c.Count >= 1, TimeSpan.FromMinutes(6), "the first tracking chunk");
        host.KillHard();
        await host.DisposeAsync();
        output.WriteLine($"kill -9 after {beforeKill.Count} chunk checkpoint(s), {clock.Elapsed.TotalSeconds:F0} s");

        host = started = await LocalHostProcess.StartInOwnGroupAsync(port, configuration, log);
        http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        store = await LocalHostProcess.BlobStoreAsync(log);
        JsonObject? index;
        try
        {
            index = await Poll.UntilAsync(() => IndexAsync(store, runId), i => Clip(i, ClipName) is not null, TimeSpan.FromMinutes(8), "the published clip");
        }
        catch (TimeoutException)
        {
            // What the job waits for: its status (chunk progress, job counts) as the API reports it.
            output.WriteLine($"animations of {runId}: {await http.GetStringAsync($"/api/avatars/{runId}/animations")}");
            throw;
        }

        var after = await ChunkCheckpointsAsync(store, runId);
        output.WriteLine($"clip published after {clock.Elapsed.TotalSeconds:F0} s; chunks {after.Count}");

        // Finished chunks were reused, not tracked again; every chunk has its checkpoint.
        Assert.Equal(4, after.Count);
        var rewritten = beforeKill.Where(c => after.GetValueOrDefault(c.Key) != c.Value).Select(c => c.Key).ToArray();
        Assert.True(rewritten.Length == 0, $"chunks tracked again after the restart: {string.Join(", ", rewritten)}");

        // The clip sits next to the avatar's own clip, with its previews.
        var clips = index!["clips"]!.AsArray();
        Assert.Contains(clips, c => c!["source"]!.GetValue<string>() == "track-flame");
        var entry = Clip(index, ClipName)!;
        Assert.Equal("video", entry["source"]!.GetValue<string>());
        Assert.Equal(40, entry["frames"]!.GetValue<int>());
        var mp4 = (await store.TryReadAsync(StorageLayout.AvatarArtifact(runId, $"preview/{ClipName}.mp4"), CancellationToken.None))!.ToArray();
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(mp4, 4, 4));
        var gif = (await store.TryReadAsync(StorageLayout.AvatarArtifact(runId, $"preview/{ClipName}.gif"), CancellationToken.None))!.ToArray();
        Assert.Equal("GIF8", System.Text.Encoding.ASCII.GetString(gif, 0, 4));
        Assert.NotNull(await store.GetInfoAsync(StorageLayout.AvatarArtifact(runId, $"animation/{ClipName}.safetensors"), CancellationToken.None));

        // The viewer lists the clip, links its preview and poses the avatar differently over time.
        var shots = Path.Combine(data, "viewer");
        var (node, playwright, chromium) = Browser();
        await RunNodeAsync(node, Path.Combine(AppContext.BaseDirectory, "browser", "animation-check.mjs"),
            [playwright, chromium, host.BaseUrl, runId, ClipName, shots], TimeSpan.FromMinutes(4));
        using var viewer = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(shots, "results.json")));
        var v = viewer.RootElement;
        output.WriteLine(v.ToString());
        Assert.False(v.TryGetProperty("fatal", out var fatal), fatal.ToString());
        Assert.Equal("ready", v.GetProperty("state").GetString());
        Assert.Contains(ClipName, v.GetProperty("clips").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(40, v.GetProperty("playback").GetProperty("frames").GetInt32());
        Assert.False(v.GetProperty("previewHidden").GetBoolean());
        Assert.Equal(200, v.GetProperty("previewStatus").GetInt32());
        var frames = v.GetProperty("frames").EnumerateObject().Select(p => p.Value.GetProperty("packed").GetString()).ToArray();
        Assert.Equal(3, frames.Length);
        Assert.True(frames.Distinct().Count() >= 2, "the avatar's pose did not change between time steps of the clip");
        Assert.Empty(v.GetProperty("pageErrors").EnumerateArray());

        host.InterruptGroup();
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(15)), "the host did not stop on Ctrl+C");
        await host.DisposeAsync();
        logs.Passed();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // A failed assertion (the Ctrl+C check included) skips the test's own stop: the host would outlive the test run.
        started?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private static JsonObject? Clip(JsonObject? index, string name) =>
        index?["clips"] is JsonArray clips ? clips.OfType<JsonObject>().FirstOrDefault(c => c["name"]?.GetValue<string>() == name) : null;

    /// <summary>A talking-head stand-in from the portrait: 1.6 s at 25 fps, a head tilt (roll) and a sideways pan, a sine tone as audio.</summary>
    private static async Task<byte[]> MakeVideoAsync(string portrait, string path)
    {
        var seconds = VideoSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await RunAsync("ffmpeg", [
            "-v", "error", "-y", "-loop", "1", "-framerate", "25", "-i", portrait, "-f", "lavfi", "-i", $"sine=frequency=220:duration={seconds}",
            "-filter_complex", "[0:v]scale=360:-2,rotate='0.15*sin(2*PI*t/1.6)':c=black,crop=320:320:x='20+20*sin(2*PI*t/1.6)':y='(ih-320)/2',format=yuv420p[v]",
            "-map", "[v]", "-map", "1:a", "-t", seconds, "-r", "25", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", path]);
        return await File.ReadAllBytesAsync(path);
    }

    private static async Task RunAsync(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} failed: {await stderr}");
    }

    private static (string Node, string Playwright, string Chromium) Browser()
    {
        var node = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "node")).FirstOrDefault(File.Exists);
        var playwright = Path.Combine(RepositoryLayout.Locate().Root, "infra", "node", "node_modules", "playwright-core");
        var chromium = Environment.GetEnvironmentVariable("FC4D_CHROMIUM") is { Length: > 0 } env ? env
            : new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
        Assert.True(node is not null && chromium is not null && File.Exists(Path.Combine(playwright, "index.mjs")),
            "the viewer check needs node, chromium (apt-get install -y chromium, or FC4D_CHROMIUM) and npm ci --prefix infra/node");
        return (node!, playwright, chromium!);
    }

    private static async Task RunNodeAsync(string node, string script, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(node) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the browser driver timed out: {await stderr}");
        }

        Assert.True(process.ExitCode == 0, $"the browser driver failed: {await stdout}{await stderr}");
    }

    /// <summary>The job's tracking-chunk checkpoint records and their versions.</summary>
    private static Task<Dictionary<string, string>> ChunkCheckpointsAsync(IBlobStore store, string runId) =>
        CheckpointVersions.ReadAsync(store, $"{runId}/stages/{PipelineStage.TrackVideo.Slug()}/");

    private static async Task<JsonObject?> IndexAsync(IBlobStore store, string runId) =>
        await store.TryReadAsync(StorageLayout.AvatarArtifact(runId, "animation/index.json"), CancellationToken.None) is { } content
            ? JsonNode.Parse(content.ToString()) as JsonObject
            : null;
}
