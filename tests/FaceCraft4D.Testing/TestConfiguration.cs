namespace FaceCraft4D.Testing;

/// <summary>Configuration that makes the real engine and clients react in test time (short polls, timeouts, leases).</summary>
public static class TestConfiguration
{
    /// <summary>Settings overrides for a small but complete DAG (4 views, 2 source views x 2 clips).</summary>
    public const string SmallRunSettings = "{\"viewCount\":4,\"sourceViewCount\":2,\"clipCount\":2}";

    /// <summary>Fast retry, poll and lease settings as configuration key/values.</summary>
    public static IReadOnlyDictionary<string, string> Fast(string taskHub) => new Dictionary<string, string>
    {
        ["Fc4d:Durable:TaskHubName"] = taskHub,
        ["Fc4d:Durable:WorkItemQueueVisibilityTimeout"] = "00:00:15",
        ["Fc4d:Durable:ActivityLockRenewInterval"] = "00:00:05",
        ["Fc4d:Durable:ControlQueueVisibilityTimeout"] = "00:00:15",
        ["Fc4d:Durable:LeaseInterval"] = "00:00:09",
        ["Fc4d:Durable:MaxQueuePollingInterval"] = "00:00:00.500",
        ["Fc4d:Pipeline:JobPollInterval"] = "00:00:00.300",
        ["Fc4d:Pipeline:MaxJobPollInterval"] = "00:00:01",
        ["Fc4d:Pipeline:ActivityFirstRetryDelay"] = "00:00:00.200",
        ["Fc4d:Pipeline:ActivityMaxRetryDelay"] = "00:00:02",
        ["Fc4d:Pipeline:ActivityMaxAttempts"] = "8",
        ["Fc4d:GpuWorker:AttemptTimeout"] = "00:00:02",
        ["Fc4d:GpuWorker:RetryBaseDelay"] = "00:00:00.050",
        ["Fc4d:GpuWorker:RetryMaxDelay"] = "00:00:00.500",
        ["Fc4d:GpuWorker:CircuitBreakerFailures"] = "50",
        ["Fc4d:GpuWorker:CircuitBreakDuration"] = "00:00:01",
        ["Fc4d:GpuWorker:ActivityPollInterval"] = "00:00:00.150",
        ["Fc4d:Local:UploadPollInterval"] = "00:00:00.500",
        // Tests submit many runs at once as one owner: the submission limits are raised (the limits' own tests lower them).
        ["Fc4d:Limits:SubmissionBurst"] = "1000",
        ["Fc4d:Limits:MaxActiveRunsPerOwner"] = "1000",
        ["Fc4d:Limits:MaxActiveRuns"] = "1000",
        ["Fc4d:Local:WorkerSharedKey"] = TestGpuWorker.SharedKey, // hosts on workers started by tests
        ["Fc4d:GpuWorker:SharedKey"] = TestGpuWorker.SharedKey,
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:DurableTask"] = "Error",
        ["Logging:LogLevel:Microsoft.DurableTask"] = "Error",
    };

    /// <summary>
    /// Worker settings for tests that run the real stages (flat configuration keys; the local host passes the ones given
    /// after <c>--</c> on to its workers): the Evaluate stage renders its protocol views at 192 px instead of 512, which
    /// still computes every metric (MS-SSIM needs 161 px), its two built-in driving clips with 2 frames each instead of 8
    /// (18 protocol views instead of 54), with a 64-px contact sheet, and Export's turntable preview is 12 frames of 128 px
    /// instead of 36 of 256. Every output is still written in its form; only its size shrinks. These two stages at their
    /// defaults were about 40 % of a test-sized run's stage work (evaluate 53 s and export 12 s of 157 s,
    /// RealPipelineRunTests' settings on the shared 2-core machine at load 16).
    /// </summary>
    public static IReadOnlyDictionary<string, string> SmallOutputs { get; } = new Dictionary<string, string>
    {
        ["Fc4d:Evaluate:ImageSize"] = "192",
        ["Fc4d:Evaluate:Protocol:Protocol:FramesPerClip"] = "2",
        ["Fc4d:Evaluate:ContactSheetTileSize"] = "64",
        ["Fc4d:Export:TurntableFrames"] = "12",
        ["Fc4d:Export:TurntableSize"] = "128",
    };

    /// <summary>The same as command-line arguments.</summary>
    public static string[] AsArguments(IReadOnlyDictionary<string, string> values) =>
        values.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
}
