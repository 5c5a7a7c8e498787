using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>The activity logic: checkpoint reuse (keyed on code and weights too), lost jobs, failure classification.</summary>
public sealed class StageActivityRunnerTests
{
    private static readonly StageRequest Request = new(
        "fc4d-0123456789abcdef-01234567", PipelineStage.EnhanceView, "view-01",
        new Dictionary<string, BlobRef> { ["preprocess/crop.png"] = new("runs", "c.png", "aa") }, PipelinePresets.Preview,
        new Dictionary<string, string> { ["view"] = "1" });

    [Fact]
    public async Task A_valid_checkpoint_is_returned_without_calling_the_worker()
    {
        var blobs = new InMemoryBlobStore();
        var output = await blobs.WriteAsync(StorageLayout.StageOutput(Request.RunId, Request.Stage, Request.Key, "image.png"), BinaryData.FromString("x"), "image/png", default);
        await new CheckpointStore(blobs).WriteAsync(Record(output), default);
        var worker = new ScriptedWorker();

        var outcome = await Runner(blobs, worker).RunStageAsync(Request, default);

        Assert.True(outcome.Reused);
        Assert.Equal(0, worker.Calls);
        Assert.Equal(1, worker.ImplementationCalls);
        Assert.Equal(output, outcome.Outputs["image.png"]);
    }

    [Theory]
    [InlineData(2, StageImplementation.NoWeights)] // the handler's implementation version was bumped
    [InlineData(1, "0123456789abcdef")] // weights were installed
    public async Task A_checkpoint_made_by_other_code_or_weights_is_not_reused(int version, string weights)
    {
        var blobs = new InMemoryBlobStore();
        var output = await blobs.WriteAsync(StorageLayout.StageOutput(Request.RunId, Request.Stage, Request.Key, "image.png"), BinaryData.FromString("x"), "image/png", default);
        await new CheckpointStore(blobs).WriteAsync(Record(output), default);
        var worker = new ScriptedWorker(JobState.Succeeded) { Implementation = new StageImplementation(Request.Stage, version, weights) };

        var outcome = await Runner(blobs, worker).RunStageAsync(Request, default);

        Assert.False(outcome.Reused);
        Assert.Equal(1, worker.Submits);
        Assert.Equal(worker.Implementation.Id, worker.Submitted!.Implementation);
        Assert.NotEqual(Stamped.InputHash(), worker.Submitted.InputHash());
    }

    [Fact]
    public async Task A_record_whose_implementation_differs_from_the_stamp_or_an_unstamped_request_is_not_reused()
    {
        var blobs = new InMemoryBlobStore();
        var output = await blobs.WriteAsync(StorageLayout.StageOutput(Request.RunId, Request.Stage, Request.Key, "image.png"), BinaryData.FromString("x"), "image/png", default);
        var store = new CheckpointStore(blobs);

        // The worker stamped v1 but ran v2 (a redeploy between the stamp and the run): the record says so.
        await store.WriteAsync(Record(output) with { Implementation = new StageImplementation(Request.Stage, 2, StageImplementation.NoWeights).Id }, default);
        Assert.Null(await store.TryGetValidAsync(Stamped, default));

        await store.WriteAsync(Record(output), default);
        Assert.NotNull(await store.TryGetValidAsync(Stamped, default));
        Assert.Null(await store.TryGetValidAsync(Request, default));
    }

    [Fact]
    public async Task A_checkpoint_for_other_inputs_or_with_a_missing_output_is_not_reused()
    {
        var blobs = new InMemoryBlobStore();
        var output = StorageLayout.StageOutput(Request.RunId, Request.Stage, Request.Key, "image.png") with { Sha256 = "00" };
        await new CheckpointStore(blobs).WriteAsync(Record(output), default);
        var worker = new ScriptedWorker(JobState.Succeeded);

        var outcome = await Runner(blobs, worker).RunStageAsync(Request, default);

        Assert.False(outcome.Reused);
        Assert.Equal(1, worker.Submits);
    }

    [Fact]
    public async Task The_stamp_and_the_checkpoint_read_are_asked_for_at_once_and_the_record_is_checked_against_the_stamp()
    {
        var inner = new InMemoryBlobStore();
        var output = await inner.WriteAsync(StorageLayout.StageOutput(Request.RunId, Request.Stage, Request.Key, "image.png"), BinaryData.FromString("x"), "image/png", default);
        await new CheckpointStore(inner).WriteAsync(Record(output), default);
        var checkpointRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blobs = new GatedBlobStore(inner)
        {
            ReadStarted = blob =>
            {
                if (blob == StorageLayout.StageCheckpoint(Request.RunId, Request.Stage, Request.Key))
                {
                    checkpointRead.TrySetResult();
                }
            },
        };
        // The worker answers the stamp only once the checkpoint record is being read: one after the other would never get here.
        var worker = new ScriptedWorker { StampGate = checkpointRead.Task };

        var reused = await Runner(blobs, worker).RunStageAsync(Request, default).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(reused.Reused);

        var other = new ScriptedWorker(JobState.Succeeded) { Implementation = new StageImplementation(Request.Stage, 2, StageImplementation.NoWeights) };
        var ran = await Runner(blobs, other).SubmitJobAsync(Request, default);
        Assert.Null(ran.Outcome is { Reused: true } ? ran.Outcome : null); // the record read early is still checked against the new stamp
        Assert.Equal(1, other.Submits);
        Assert.Equal(0, blobs.Writes);
    }

    [Fact]
    public async Task A_failed_stamp_is_the_error_reported_even_when_the_checkpoint_read_fails_too()
    {
        var worker = new ScriptedWorker { StampFailure = new GpuWorkerUnavailableException("worker down") };
        var blobs = new GatedBlobStore(new InMemoryBlobStore(), open: false);
        var running = Runner(blobs, worker).RunStageAsync(Request, default);

        var error = await Assert.ThrowsAsync<GpuWorkerUnavailableException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("worker down", error.Message);
    }

    [Fact]
    public async Task A_job_the_worker_forgot_is_submitted_again()
    {
        var worker = new ScriptedWorker(JobState.Running, null, JobState.Succeeded);

        var outcome = await Runner(new InMemoryBlobStore(), worker).RunStageAsync(Request, default);

        Assert.Equal(2, worker.Submits);
        Assert.Equal("scripted", outcome.Backend);
    }

    [Fact]
    public async Task Polls_wait_at_the_worker_and_the_outcome_says_when_the_job_ran_and_the_peak_memory()
    {
        var worker = new ScriptedWorker(JobState.Queued, JobState.Running, JobState.Succeeded);

        var outcome = await Runner(new InMemoryBlobStore(), worker).RunStageAsync(Request, default);

        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7)], worker.Waits);
        var work = outcome.Work!;
        Assert.Equal(DateTimeOffset.UnixEpoch, work.SubmittedAt);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(5), work.CompletedAt);
        Assert.Equal(2, work.ServiceSeconds, 6); // worker_service_seconds
        Assert.Equal(3, work.QueueSeconds, 6);
        Assert.Equal(812, work.WorkerPeakRssMiB);
        Assert.True(work.HostPeakRssMiB > 10);
    }

    [Theory]
    [InlineData(JobFailureKind.InvalidInput, typeof(StageInputRejectedException))]
    [InlineData(JobFailureKind.NotImplemented, typeof(StageNotImplementedException))]
    [InlineData(JobFailureKind.Internal, typeof(GpuWorkerUnavailableException))]
    public async Task Failed_jobs_become_permanent_or_retryable_errors(JobFailureKind kind, Type expected)
    {
        var worker = new ScriptedWorker(JobState.Running, JobState.Failed) { Failure = kind };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Runner(new InMemoryBlobStore(), worker).RunStageAsync(Request, default));

        Assert.IsType(expected, error);
        Assert.Contains("boom", error.Message);
    }

    private static readonly StageImplementation Current = new(PipelineStage.EnhanceView, 1, StageImplementation.NoWeights);

    private static readonly StageRequest Stamped = Request with { Implementation = Current.Id };

    private static CheckpointRecord Record(BlobRef output) => new(
        Request.RunId, Request.Stage, Request.Key, Stamped.InputHash(), new Dictionary<string, BlobRef> { ["image.png"] = output },
        "warp", "1.0", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(3), Implementation: Current.Id);

    private static StageActivityRunner Runner(IBlobStore blobs, IGpuWorkerClient worker) => new(
        new CheckpointStore(blobs), worker,
        Options.Create(new GpuWorkerOptions { ActivityPollInterval = TimeSpan.FromMilliseconds(1), JobWait = TimeSpan.FromSeconds(7), BaseUrl = "http://w" }),
        TimeProvider.System, NullLogger<StageActivityRunner>.Instance);

    /// <summary>Answers submit with the first state and each poll with the next (null: unknown job).</summary>
    private sealed class ScriptedWorker(params JobState?[] states) : IGpuWorkerClient
    {
        private int next;

        public int Calls { get; private set; }

        public int Submits { get; private set; }

        public JobFailureKind Failure { get; init; } = JobFailureKind.Internal;

        public StageImplementation Implementation { get; init; } = Current;

        public int ImplementationCalls { get; private set; }

        public StageRequest? Submitted { get; private set; }

        public List<TimeSpan> Waits { get; } = [];

        public Task<WorkerReply<JobStatus?>> WaitForJobAsync(StageRequest request, TimeSpan wait, CancellationToken cancellationToken)
        {
            Waits.Add(wait);
            return GetJobAsync(request, cancellationToken);
        }

        public Task? StampGate { get; init; }

        public Exception? StampFailure { get; init; }

        public async Task<StageImplementation?> GetStageImplementationAsync(StageRequest request, CancellationToken cancellationToken)
        {
            ImplementationCalls++;
            if (StampGate is not null)
            {
                await StampGate.WaitAsync(cancellationToken);
            }

            return StampFailure is null ? Implementation : throw StampFailure;
        }

        public Task<WorkerReply<JobStatus>> SubmitJobAsync(StageRequest request, CancellationToken cancellationToken)
        {
            Calls++;
            Submits++;
            Submitted = request;
            return Task.FromResult(new WorkerReply<JobStatus>(Status(Take() ?? JobState.Queued), 1));
        }

        public Task<WorkerReply<JobStatus?>> GetJobAsync(StageRequest request, CancellationToken cancellationToken)
        {
            Calls++;
            var state = Take();
            return Task.FromResult(new WorkerReply<JobStatus?>(state is null ? null : Status(state.Value), 1));
        }

        public Task CancelJobAsync(StageRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task CancelJobAsync(JobKey job, CancellationToken cancellationToken) => Task.CompletedTask;

        private JobState? Take() => next < states.Length ? states[next++] : JobState.Succeeded;

        private JobStatus Status(JobState state) => new(
            Request.IdempotencyKey(), Request.Stage, state, null,
            state == JobState.Succeeded
                ? new StageResult(new Dictionary<string, BlobRef>(), "scripted", "1.0",
                    Metrics: new Dictionary<string, double> { ["worker_service_seconds"] = 2, ["worker_peak_rss_mib"] = 812 })
                : null,
            state == JobState.Failed ? "boom" : null, state == JobState.Failed ? Failure : null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(5));
    }
}
