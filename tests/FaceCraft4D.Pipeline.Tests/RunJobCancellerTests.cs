using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>Terminating a run cancels exactly its queued and running worker jobs, found from the job ledger.</summary>
public sealed class RunJobCancellerTests
{
    private const string RunId = "fc4d-0123456789abcdef-01234567";
    private const string OtherRun = "fc4d-fedcba9876543210-01234567";

    [Fact]
    public async Task Only_the_runs_queued_and_running_jobs_are_cancelled()
    {
        var blobs = new InMemoryBlobStore();
        await RecordAsync(blobs, RunId, PipelineStage.AnimateView, "src-00-clip-0", JobState.Running);
        await RecordAsync(blobs, RunId, PipelineStage.AnimateView, "src-01-clip-0", JobState.Queued);
        await RecordAsync(blobs, RunId, PipelineStage.EnhanceView, "view-01", JobState.Succeeded);
        await RecordAsync(blobs, RunId, PipelineStage.TrainStatic, "0", JobState.Cancelled);
        await RecordAsync(blobs, OtherRun, PipelineStage.TrainStatic, "0", JobState.Running);
        await blobs.WriteAsync(StorageLayout.StageOutput(RunId, PipelineStage.TrainStatic, "0", "jobs/garbage.json"), BinaryData.FromString("{not json"), "application/json", default);
        var worker = new RecordingWorker();

        var asked = await new RunJobCanceller(blobs, worker, NullLogger<RunJobCanceller>.Instance).CancelActiveJobsAsync(RunId, default);

        Assert.Equal(2, asked);
        Assert.Equal(
            [$"{RunId}.animate-view.src-00-clip-0.0123456789abcdef", $"{RunId}.animate-view.src-01-clip-0.0123456789abcdef"],
            worker.Cancelled.Select(k => k.Id).Order(StringComparer.Ordinal));
    }

    private static Task RecordAsync(InMemoryBlobStore blobs, string runId, PipelineStage stage, string key, JobState state)
    {
        var id = $"{runId}.{stage.Slug()}.{key}.0123456789abcdef";
        var status = new JobStatus(id, stage, state, null, null, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var record = BinaryData.FromObjectAsJson(new { status, owner = "worker-1", heartbeatAt = DateTimeOffset.UnixEpoch, fence = 1 }, ContractJson.Options);
        return blobs.WriteAsync(StorageLayout.StageOutput(runId, stage, key, "jobs/0123456789abcdef.json"), record, "application/json", default);
    }

    private sealed class RecordingWorker : IGpuWorkerClient
    {
        public List<JobKey> Cancelled { get; } = [];

        public Task<WorkerReply<JobStatus>> SubmitJobAsync(StageRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<WorkerReply<JobStatus?>> GetJobAsync(StageRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StageImplementation?> GetStageImplementationAsync(StageRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CancelJobAsync(StageRequest request, CancellationToken cancellationToken) => CancelJobAsync(JobKey.For(request), cancellationToken);

        public Task CancelJobAsync(JobKey job, CancellationToken cancellationToken)
        {
            lock (Cancelled)
            {
                Cancelled.Add(job);
            }

            return Task.CompletedTask;
        }
    }
}
