using System.Net.Http.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Jobs;
using FaceCraft4D.Stages;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>
/// The real worker service (HTTP, queue, ledger on Azurite) with synthetic handlers: a job that runs past the maximum
/// job duration fails with a clear, non-retried reason; the worker answers what implements a stage and records the
/// implementation that ran in the checkpoint. The limit's timer runs on the worker's clock, which the test fires itself
/// (<see cref="LimitClock"/>): the check does not depend on how fast a loaded machine runs the jobs.
/// </summary>
public sealed class WorkerJobLimitsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    /// <summary>The maximum job duration: a value no other timer of the worker uses, so the clock can tell the limit's timer apart.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(3_141_593);

    /// <summary>Longest the test waits for an event before it gives up (a hang, not a slow machine).</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_job_past_the_maximum_duration_fails_as_too_much_work_and_a_short_one_records_its_implementation()
    {
        var clock = new LimitClock(Limit);
        var training = new UntilCancelledStageHandler(PipelineStage.TrainStatic);
        await using var worker = await TestGpuWorker.StartAsync(
            azurite.ConnectionString, TimeSpan.FromMilliseconds(200),
            handlers: new Dictionary<PipelineStage, Func<ExecutionLedger, IStageHandler?>> { [PipelineStage.TrainStatic] = _ => training },
            configureServices: s =>
            {
                s.PostConfigure<WorkerOptions>(o => o.MaxJobDuration = Limit);
                s.AddSingleton<TimeProvider>(clock);
            });
        using var http = TestGpuWorker.AuthenticatedClient(worker.Url);
        var blobs = azurite.CreateBlobStore();
        var input = await blobs.WriteAsync(new BlobRef(StorageLayout.RunsContainer, "fc4d-0123456789abcdef-0123456789abcdef/input/x.json"),
            BinaryData.FromString("{}"), "application/json", default);

        var implementation = await http.GetFromJsonAsync<StageImplementation>("api/stages/train-static/implementation", ContractJson.Options);
        Assert.Equal(new StageImplementation(PipelineStage.TrainStatic, 1, StageImplementation.NoWeights), implementation);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("api/stages/no-such-stage/implementation")).StatusCode);

        // Training that never ends by itself, running when its job's limit expires: exactly one timer of the maximum
        // duration was armed (this job's), and firing it fails the job with the reason, as work the caller must cut down.
        var trainingRequest = Request(PipelineStage.TrainStatic, input, implementation!);
        await SubmitAsync(http, trainingRequest);
        await training.Started.WaitAsync(HangGuard);
        Assert.Equal(1, clock.Expire());
        var failed = await WaitForEndAsync(http, trainingRequest);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal(JobFailureKind.InvalidInput, failed.Failure);
        Assert.Contains("maximum job duration", failed.Error);
        Assert.Contains("max-duration", failed.Error);
        Assert.True(training.Cancelled, "the handler's token was not cancelled");

        // A short stage within the limit succeeds, and its checkpoint names the implementation that ran.
        var enhance = await http.GetFromJsonAsync<StageImplementation>("api/stages/enhance-view/implementation", ContractJson.Options);
        var request = Request(PipelineStage.EnhanceView, input, enhance!);
        await SubmitAsync(http, request);
        Assert.Equal(JobState.Succeeded, (await WaitForEndAsync(http, request)).State);
        var record = await new CheckpointStore(blobs).TryGetValidAsync(request, default);
        Assert.NotNull(record);
        Assert.Equal("enhance-view/v1/weights-none", record!.Implementation);
    }

    private static StageRequest Request(PipelineStage stage, BlobRef input, StageImplementation implementation) => new(
        "fc4d-0123456789abcdef-0123456789abcdef", stage, "0", new Dictionary<string, BlobRef> { ["input/x.json"] = input },
        PipelinePresets.Preview, new Dictionary<string, string>()) { Implementation = implementation.Id };

    private static async Task SubmitAsync(HttpClient http, StageRequest request)
    {
        using var submit = new HttpRequestMessage(HttpMethod.Post, $"api/jobs/{request.Stage.Slug()}")
        {
            Content = JsonContent.Create(request, options: ContractJson.Options),
        };
        submit.Headers.Add("Idempotency-Key", request.IdempotencyKey());
        using var response = await http.SendAsync(submit);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls the job until it ends (however long a loaded machine takes, up to <see cref="HangGuard"/>).</summary>
    private static async Task<JobStatus> WaitForEndAsync(HttpClient http, StageRequest request)
    {
        var route = $"api/jobs/{request.Stage.Slug()}/{Uri.EscapeDataString(request.IdempotencyKey())}";
        var guard = DateTime.UtcNow + HangGuard;
        while (true)
        {
            var status = await http.GetFromJsonAsync<JobStatus>(route, ContractJson.Options);
            if (status!.IsTerminal)
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < guard, $"The {request.Stage.Slug()} job is still {status.State} after {HangGuard}.");
            await Task.Delay(100);
        }
    }

    /// <summary>A stage whose work only ends when its job is cancelled: it provably runs past any limit.</summary>
    private sealed class UntilCancelledStageHandler(PipelineStage stage) : IStageHandler
    {
        private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PipelineStage Stage { get; } = stage;

        public IReadOnlyList<string> Backends { get; } = ["synthetic"];

        public int ImplementationVersion => 1;

        public IReadOnlyList<string> WeightPaths { get; } = [];

        /// <summary>Set once the work has begun.</summary>
        public Task Started => started.Task;

        /// <summary>True once the work saw its cancellation.</summary>
        public bool Cancelled { get; private set; }

        public async Task<StageResult> ExecuteAsync(StageJobContext context)
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled = true;
                throw;
            }

            throw new InvalidOperationException("unreachable: an infinite delay ended without its cancellation");
        }
    }

    /// <summary>
    /// The system clock, except for timers due after exactly the given limit (the worker's maximum job duration): those
    /// fire when the test calls <see cref="Expire"/>, never by themselves.
    /// </summary>
    private sealed class LimitClock(TimeSpan limit) : TimeProvider
    {
        private readonly Lock gate = new();
        private readonly List<LimitTimer> timers = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != limit)
            {
                return base.CreateTimer(callback, state, dueTime, period);
            }

            var timer = new LimitTimer(callback, state);
            lock (gate)
            {
                timers.Add(timer);
            }

            return timer;
        }

        /// <summary>Fires the limit timers that are armed (created and not disposed); how many it fired.</summary>
        public int Expire()
        {
            LimitTimer[] armed;
            lock (gate)
            {
                armed = timers.Where(t => !t.Disposed).ToArray();
                timers.Clear();
            }

            foreach (var timer in armed)
            {
                timer.Fire();
            }

            return armed.Length;
        }
    }

    private sealed class LimitTimer(TimerCallback callback, object? state) : ITimer
    {
        private volatile bool disposed;

        public bool Disposed => disposed;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => !disposed;

        public void Dispose() => disposed = true;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
