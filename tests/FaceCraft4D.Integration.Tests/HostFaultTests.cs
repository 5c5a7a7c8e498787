using System.Diagnostics;
using System.Text.Json;
using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Xunit;
using Xunit.Abstractions;
using static FaceCraft4D.Testing.RunStatusPoller;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// Black-box faults against the real local host, as a user runs it: <c>fc4d-local host</c> as its own process (with
/// its own Azurite, durable engine and real CPU GPU-worker, all on one data folder), the sample portrait submitted over
/// HTTP, then kill -9 during the enhance-view fan-out, Ctrl+C (SIGINT to the whole process group, as a terminal sends
/// it) during the animate-view fan-out, and kill -9 during training, each followed by an immediate restart on the same
/// data folder. Checked from outside only (HTTP, the blob endpoint, /proc): the run completes, work finished before a
/// fault is never executed again (its checkpoint blobs are untouched), the run resumes within 60 s of each restart, and
/// Ctrl+C leaves no process behind within 15 s. Last, on the same host, a second run is terminated during its
/// animate-view fan-out: every worker job of that run stops (terminal ledger record) within 10 s. The durable engine runs with the tests' short visibility timeouts and
/// leases (15 s / 9 s) to keep this test short; with the product defaults (30 s / 15 s) the same test measured resumes
/// 14-26 s after the restarted host was ready (the figures are in docs/architecture.md, "Faults and shutdown").
/// </summary>
public sealed class HostFaultTests(ITestOutputHelper output) : IDisposable
{
    private const string Settings =
        "{\"renderSize\":48,\"viewCount\":6,\"sourceViewCount\":2,\"clipCount\":1,\"framesPerClip\":4," +
        "\"staticIterations\":60,\"coinIterations\":40,\"checkpointEvery\":20," +
        "\"trackingFirstFrameIterations\":10,\"trackingPerFrameIterations\":3,\"trackingGlobalEpochs\":1}";

    private static readonly TimeSpan ResumeLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CtrlCLimit = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan TerminateLimit = TimeSpan.FromSeconds(10);

    private readonly string data = Path.Combine(Path.GetTempPath(), "fc4d-tests", "faults-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Kill9_and_CtrlC_during_fan_outs_lose_nothing_and_the_run_resumes_within_a_minute()
    {
        Directory.CreateDirectory(data);
        var port = FreeTcpPort.Find();
        var log = Path.Combine(data, "host-console.log");
        var configuration = Configuration();
        await using var logs = FailedTestLogs.For(output);
        foreach (var path in LocalHostProcess.LogPathsOf(configuration, log))
        {
            logs.Add(path);
        }

        var photo = await File.ReadAllBytesAsync(Path.Combine(RepositoryLayout.Locate().Root, "infra", "samples", "portrait.jpg"));
        var table = new List<string>();

        // 1. kill -9 during the enhance-view fan-out.
        var host = await LocalHostProcess.StartInOwnGroupAsync(port, configuration, log);
        var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        var runId = await SubmitAsync(http, photo);
        var seen = await WaitForAsync(http, runId, s => Stage(s, "enhance-view") is { Done: >= 1 }, TimeSpan.FromMinutes(4));
        var finished = await CheckpointsAsync(log, runId);
        host.KillHard();
        table.Add($"kill -9 at enhance-view {Stage(seen, "enhance-view")!.Done}/{Stage(seen, "enhance-view")!.Total}");
        await host.DisposeAsync();

        // 2. restart at once; Ctrl+C during the animate-view fan-out.
        (host, http) = await RestartAsync(port, configuration, log, runId, table);
        seen = await WaitForAsync(http, runId, s => Stage(s, "animate-view") is { State: StageState.Running }, TimeSpan.FromMinutes(4));
        foreach (var (name, version) in await CheckpointsAsync(log, runId))
        {
            finished.TryAdd(name, version);
        }

        var interrupted = Stopwatch.StartNew();
        host.InterruptGroup();
        var exited = await host.WaitForExitAsync(CtrlCLimit);
        var leftover = await WaitForNoStackProcessesAsync(host.Id, CtrlCLimit - interrupted.Elapsed);
        var stopSeconds = interrupted.Elapsed.TotalSeconds;
        table.Add($"Ctrl+C at animate-view {Stage(seen, "animate-view")!.Done}/{Stage(seen, "animate-view")!.Total}: host exited {exited}, " +
                  $"all processes gone after {stopSeconds:F1} s (left: {string.Join(", ", leftover)})");
        Assert.True(exited, $"the host still runs {CtrlCLimit.TotalSeconds} s after Ctrl+C");
        Assert.Empty(leftover);
        await host.DisposeAsync();

        // 3. restart; kill -9 during training.
        (host, http) = await RestartAsync(port, configuration, log, runId, table);
        // train-static may already have been saved by the Ctrl+C and finish (or be reused) before a poll sees it running,
        // so any training stage running counts, and a run that finished first is recorded instead of killed.
        seen = await WaitForAsync(http, runId, s =>
            Stage(s, "train-static") is { State: StageState.Running } || Stage(s, "train-coin") is { State: StageState.Running }
            || s.RuntimeStatus is not ("Pending" or "Running"), TimeSpan.FromMinutes(4));
        foreach (var (name, version) in await CheckpointsAsync(log, runId))
        {
            finished.TryAdd(name, version);
        }

        if (seen.RuntimeStatus is "Pending" or "Running")
        {
            host.KillHard();
            var training = Stage(seen, "train-static") is { State: StageState.Running } ? "train-static" : "train-coin";
            table.Add($"kill -9 during {training} ({Stage(seen, training)!.Detail})");
        }
        else
        {
            table.Add($"the run finished ({seen.RuntimeStatus}) before a training stage was seen running: no kill at step 3");
        }

        await host.DisposeAsync();

        // 4. restart: the run completes; nothing finished before a fault ran again.
        (host, http) = await RestartAsync(port, configuration, log, runId, table);
        var final = await WaitForAsync(http, runId, s => s.RuntimeStatus is not ("Pending" or "Running"), TimeSpan.FromMinutes(6));
        var after = await CheckpointsAsync(log, runId);
        foreach (var line in table)
        {
            output.WriteLine(line);
        }

        foreach (var stage in final.CustomStatus!.Stages)
        {
            output.WriteLine($"{stage.Name,-16} {stage.State} {stage.Done}/{stage.Total} reused {stage.Reused} attempts {stage.Attempts}");
        }

        Assert.True(final.RuntimeStatus == "Completed", $"{final.RuntimeStatus}: {final.Error}");
        Assert.NotEmpty(finished);
        var rewritten = finished.Where(c => after.GetValueOrDefault(c.Key) != c.Value).Select(c => c.Key).ToArray();
        Assert.True(rewritten.Length == 0, $"checkpoints written again after a fault (work executed twice): {string.Join(", ", rewritten)}");

        // 5. on the same host, a second run (another seed) terminated during its animate-view fan-out: every worker job of
        //    that run has stopped (its ledger record is terminal) within 10 s, and the run stays terminated.
        var second = await SubmitAsync(http, photo, Settings.Replace("{", "{\"seed\":11,", StringComparison.Ordinal));
        Assert.NotEqual(runId, second);
        seen = await WaitForAsync(http, second, s => Stage(s, "animate-view") is { State: StageState.Running }, TimeSpan.FromMinutes(4));
        var atTerminate = await JobStatesAsync(log, second);
        var waitForJob = Stopwatch.StartNew();
        while (!atTerminate.Values.Contains(JobState.Running) && waitForJob.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
            atTerminate = await JobStatesAsync(log, second);
        }

        var active = atTerminate.Where(j => j.Value is JobState.Queued or JobState.Running).Select(j => j.Key).ToHashSet();
        Assert.NotEmpty(active);
        var terminating = Stopwatch.StartNew();
        using (var terminate = await http.PostAsync($"/api/avatars/{second}/terminate", null))
        {
            Assert.True(terminate.IsSuccessStatusCode, await terminate.Content.ReadAsStringAsync());
        }

        Dictionary<string, JobState> states;
        do
        {
            states = await JobStatesAsync(log, second);
            if (active.All(j => states.GetValueOrDefault(j) is not (JobState.Queued or JobState.Running))) break;
            await Task.Delay(200);
        }
        while (terminating.Elapsed < TerminateLimit);

        var stoppedAfter = terminating.Elapsed;
        var stillActive = active.Where(j => states.GetValueOrDefault(j) is JobState.Queued or JobState.Running).ToArray();
        // Jobs that activities already in flight submitted after the terminate's ledger sweep (a known gap, reported).
        var late = states.Where(j => !active.Contains(j.Key) && j.Value is JobState.Queued or JobState.Running).Select(j => j.Key).ToArray();
        table.Add($"terminate at animate-view {Stage(seen, "animate-view")!.Done}/{Stage(seen, "animate-view")!.Total} with {active.Count} jobs queued or running: " +
                  $"those stopped after {stoppedAfter.TotalSeconds:F1} s ({string.Join(", ", active.Select(j => states.GetValueOrDefault(j)).GroupBy(v => v).Select(g => $"{g.Count()} {g.Key}"))}); " +
                  $"{late.Length} submitted after the sweep still active");
        output.WriteLine(table[^1]);
        Assert.True(stillActive.Length == 0, $"jobs still queued or running {TerminateLimit.TotalSeconds} s after terminate: {string.Join(", ", stillActive)}");
        var terminated = await WaitForAsync(http, second, s => s.RuntimeStatus is not ("Pending" or "Running"), TimeSpan.FromSeconds(10));
        Assert.Equal("Terminated", terminated.RuntimeStatus);

        host.InterruptGroup();
        Assert.True(await host.WaitForExitAsync(CtrlCLimit), "the host did not stop on Ctrl+C at the end");
        await host.DisposeAsync();
        logs.Passed();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var pid in StackProcesses(null))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // already gone
            }
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private Dictionary<string, string> Configuration()
    {
        var values = new Dictionary<string, string>(TestConfiguration.Fast("faults").Concat(TestConfiguration.SmallOutputs))
        {
            ["Fc4d:Local:DataDirectory"] = data,
            ["Fc4d:Local:WorkerMaxConcurrentJobs"] = "1",
            ["Fc4d:GpuWorker:AttemptTimeout"] = "00:00:30", // the real face screen takes seconds on a loaded CPU
        };
        return values;
    }

    /// <summary>Starts the host again at once and measures how long until the run makes progress again.</summary>
    private async Task<(LocalHostProcess Host, HttpClient Http)> RestartAsync(
        int port, IReadOnlyDictionary<string, string> configuration, string log, string runId, List<string> table)
    {
        var launched = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var host = await LocalHostProcess.StartInOwnGroupAsync(port, configuration, log);
        var ready = clock.Elapsed;
        var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        await WaitForAsync(http, runId, s => s.LastUpdatedTime > launched || s.RuntimeStatus is not ("Pending" or "Running"), ResumeLimit + ready);
        var resumed = clock.Elapsed;
        table.Add($"  restart: host ready after {ready.TotalSeconds:F1} s, run progressed again after {resumed.TotalSeconds:F1} s");
        Assert.True(resumed - ready < ResumeLimit, $"the run resumed {resumed.TotalSeconds:F0} s after the restart");
        return (host, http);
    }

    /// <summary>The run's checkpoint records in the host's blob storage (read from outside) and their versions.</summary>
    private static async Task<Dictionary<string, string>> CheckpointsAsync(string log, string runId) =>
        await CheckpointVersions.ReadAsync(await LocalHostProcess.BlobStoreAsync(log), $"{runId}/stages/");

    /// <summary>The states of the run's worker jobs, from the workers' job ledger in the host's blob storage (read from outside).</summary>
    private static async Task<Dictionary<string, JobState>> JobStatesAsync(string log, string runId)
    {
        var store = await LocalHostProcess.BlobStoreAsync(log);
        var found = new Dictionary<string, JobState>(StringComparer.Ordinal);
        await foreach (var blob in store.ListAsync(StorageLayout.RunsContainer, $"{runId}/stages/", CancellationToken.None))
        {
            if (blob.Blob.Name.Contains("/jobs/", StringComparison.Ordinal) && blob.Blob.Name.EndsWith(".json", StringComparison.Ordinal)
                && await store.TryReadAsync(blob.Blob, CancellationToken.None) is { } content)
            {
                using var document = JsonDocument.Parse(content.ToMemory());
                if (document.RootElement.TryGetProperty("status", out var status)
                    && status.Deserialize<JobStatus>(ContractJson.Options) is { } job)
                {
                    found[blob.Blob.Name] = job.State;
                }
            }
        }

        return found;
    }

    /// <summary>Waits until no process of the stack (the host's workers, Azurite and its supervisor) is left.</summary>
    private async Task<IReadOnlyList<string>> WaitForNoStackProcessesAsync(int hostPid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + (timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
        while (true)
        {
            var left = StackProcesses(hostPid);
            if (left.Count == 0 || DateTime.UtcNow >= deadline)
            {
                return left.Select(p => $"{p} {Describe(p)}").ToArray();
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Processes that belong to this test's stack: anything naming its data folder, and workers of the host.</summary>
    private IReadOnlyList<int> StackProcesses(int? hostPid)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(directory, "cmdline"));
                var environ = File.ReadAllText(Path.Combine(directory, "environ"));
                if (pid == hostPid
                    || cmdline.Contains(data, StringComparison.Ordinal)
                    || environ.Contains(data, StringComparison.Ordinal)
                    || (hostPid is { } parent && environ.Contains($"Fc4d__Worker__ParentProcessId={parent}\0", StringComparison.Ordinal)))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // exited meanwhile, or not ours
            }
        }

        return found;
    }

    private static string Describe(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "(exited)";
        }
    }

    private static Task<string> SubmitAsync(HttpClient http, byte[] image, string settings = Settings) => PortraitSubmission.SubmitAsync(http, image, settings);
}
