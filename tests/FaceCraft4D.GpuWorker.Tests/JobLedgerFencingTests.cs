using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Jobs;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>
/// The job ledger's fencing on real Blob Storage semantics (Azurite ETags): of several worker instances racing for
/// one job exactly one claims it, and an owner that was paused past its lease and taken over finds its record and
/// training-state writes refused and stops the job.
/// </summary>
public sealed class JobLedgerFencingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly ManualClock clock = new();

    [Fact]
    public async Task Of_workers_racing_for_one_job_exactly_one_claims_and_runs_it()
    {
        var request = Request("race");
        var blobs = azurite.CreateBlobStore();
        var registries = Enumerable.Range(0, 6).Select(_ => Registry(blobs)).ToArray();

        var first = await Task.WhenAll(registries.Select(r => Task.Run(() => r.SubmitOrGetAsync(request.IdempotencyKey(), request, default))));

        Assert.Single(first, s => s!.Queued);
        var owner = registries.Single(r => r.Find(request.IdempotencyKey()) is not null);
        var record = await Ledger(blobs).ReadAsync(JobKey.For(request), default);
        Assert.Equal(owner.Find(request.IdempotencyKey())!.Claim!.Owner, record!.Owner);
        Assert.Equal(1, record.Fence);

        // The owner goes silent; the others race to take the job over: again exactly one wins, with the next token.
        clock.Advance(TimeSpan.FromMinutes(2));
        var others = registries.Where(r => r != owner).ToArray();
        var takeover = await Task.WhenAll(others.Select(r => Task.Run(() => r.SubmitOrGetAsync(request.IdempotencyKey(), request, default))));

        Assert.Single(takeover, s => s!.Queued);
        Assert.Equal(2, (await Ledger(blobs).ReadAsync(JobKey.For(request), default))!.Fence);
    }

    [Fact]
    public async Task A_paused_owner_that_resumes_has_its_writes_refused_and_stops_the_job()
    {
        var request = Request("pause");
        var blobs = azurite.CreateBlobStore();
        var (a, b) = (Registry(blobs), Registry(blobs));
        var ledgerA = Ledger(blobs);
        await a.SubmitOrGetAsync(request.IdempotencyKey(), request, default);
        var jobA = a.Find(request.IdempotencyKey())!;
        var fenceA = jobA.Fence;
        jobA.Started(clock.GetUtcNow());
        Assert.True(await ledgerA.WriteAsync(jobA, default));
        var stateBlob = StorageLayout.StageOutput(request.RunId, request.Stage, request.Key, BlobTrainingStateStore.FileName);
        await new BlobTrainingStateStore(blobs, stateBlob, jobA.Fence).WriteAsync([1, 1, 1], default);

        // A pauses (GC, VM freeze) past its lease; B takes the job over and saves newer training state.
        clock.Advance(TimeSpan.FromMinutes(2));
        var atB = await b.SubmitOrGetAsync(request.IdempotencyKey(), request, default);
        var jobB = b.Find(request.IdempotencyKey())!;
        await new BlobTrainingStateStore(blobs, stateBlob, jobB.Fence).WriteAsync([2, 2, 2, 2], default);

        // A resumes: its heartbeat and its training-state save are refused, and its job is cancelled.
        var heartbeat = await ledgerA.WriteAsync(jobA, default);
        await Assert.ThrowsAsync<FencedWriteRefusedException>(() => new BlobTrainingStateStore(blobs, stateBlob, fenceA).WriteAsync([9], default));

        Assert.True(atB!.Queued);
        Assert.Equal((1L, 2L), (fenceA, jobB.Fence));
        Assert.False(heartbeat);
        Assert.True(jobA.ClaimLost);
        Assert.True(jobA.Cancellation.IsCancellationRequested);
        var record = await Ledger(blobs).ReadAsync(JobKey.For(request), default);
        Assert.Equal((jobB.Claim!.Owner, 2L), (record!.Owner, record.Fence));
        Assert.Equal([2, 2, 2, 2], await new BlobTrainingStateStore(blobs, stateBlob, 2).TryReadAsync(default));
        Assert.True(await Ledger(blobs).WriteAsync(jobB, default)); // B still holds its claim: its heartbeat is accepted
    }

    [Fact]
    public async Task Fenced_training_state_round_trips_and_reads_states_saved_without_a_token()
    {
        var blobs = new InMemoryBlobStore();
        var blob = new BlobRef("runs", "fc4d-0123456789abcdef-01234567/stages/train-static/0/training-state.bin");
        await new BlobTrainingStateStore(blobs, blob).WriteAsync([5, 6, 7], default);

        var legacy = await new BlobTrainingStateStore(blobs, blob, 3).TryReadAsync(default);
        await new BlobTrainingStateStore(blobs, blob, 3).WriteAsync([8, 9], default);
        await new BlobTrainingStateStore(blobs, blob, 3).WriteAsync([8, 9, 10], default); // the same owner saves again
        var stored = (await blobs.TryReadAsync(blob, default))!.ToArray();

        Assert.Equal([5, 6, 7], legacy);
        Assert.Equal(3, BlobTrainingStateStore.FenceOf(stored));
        Assert.Equal([8, 9, 10], await new BlobTrainingStateStore(blobs, blob).TryReadAsync(default));
        await Assert.ThrowsAsync<FencedWriteRefusedException>(() => new BlobTrainingStateStore(blobs, blob, 2).WriteAsync([1], default));
    }

    private static StageRequest Request(string name) => new(
        $"fc4d-{ContentHash.OfText(name)[..16]}-01234567", PipelineStage.TrainStatic, "0",
        new Dictionary<string, BlobRef> { ["shape-prior/views.json"] = new("runs", "v.json", "aa") }, PipelinePresets.Preview, new Dictionary<string, string>());

    private JobLedger Ledger(IBlobStore blobs) => new(blobs, new WorkerInstance(), Options.Create(new WorkerOptions()), clock);

    private JobRegistry Registry(IBlobStore blobs) => new(Ledger(blobs), Options.Create(new WorkerOptions()), clock);

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
