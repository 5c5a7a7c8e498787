using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Jobs;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>The worker's start-up warm-up of the job path: off the start, reads only, switchable.</summary>
public sealed class JobPathWarmupTests
{
    [Fact]
    public async Task The_start_does_not_wait_for_the_warmup_which_reads_the_job_path_and_writes_nothing()
    {
        var inner = new InMemoryBlobStore();
        await inner.WriteAsync(new BlobRef(StorageLayout.ModelsContainer, "flame/flame.npz"), BinaryData.FromString("w"), "application/octet-stream", default);
        var blobs = new GatedBlobStore(inner, open: false);
        var warmup = Warmup(blobs, new WorkerOptions());

        // Storage does not answer yet: the start (and so the health endpoint) must not wait for it.
        var start = warmup.StartAsync(CancellationToken.None);
        Assert.True(start.IsCompleted || await Task.WhenAny(start, Task.Delay(TimeSpan.FromSeconds(10))) == start);
        for (var waited = 0; blobs.Reads == 0 && waited < 10_000; waited += 10)
        {
            await Task.Delay(10);
        }

        Assert.True(blobs.Reads > 0, "the warm-up should have started reading");
        Assert.False(warmup.IsWarm);

        blobs.Open();
        await warmup.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(warmup.IsWarm);
        Assert.Equal(0, blobs.Writes);
        Assert.Equal(1, inner.Count); // only the weights blob the test wrote
        Assert.True(blobs.Reads >= 4, $"expected the weights listing, ledger, termination marker and checkpoint reads; saw {blobs.Reads}");
        await warmup.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Switched_off_it_touches_nothing_and_reports_warm()
    {
        var blobs = new GatedBlobStore(new InMemoryBlobStore(), open: false);
        var warmup = Warmup(blobs, new WorkerOptions { WarmUp = false });

        await warmup.StartAsync(CancellationToken.None);
        await warmup.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(warmup.IsWarm);
        Assert.Equal(0, blobs.Reads + blobs.Writes);
        await warmup.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Its_work_item_is_a_valid_request_of_a_run_id_that_no_upload_produces()
    {
        var request = JobPathWarmup.WarmupRequest();
        Assert.True(RunIdentity.IsValid(request.RunId));
        Assert.Null(FaceCraft4D.GpuWorker.Security.StageRequestScope.Violation(request));
    }

    private static JobPathWarmup Warmup(IBlobStore blobs, WorkerOptions options)
    {
        var handler = new SyntheticStageHandler(PipelineStage.Preprocess, new ExecutionLedger(), TimeSpan.Zero) { WeightPaths = ["flame/"] };
        var catalog = new StageHandlerCatalog([handler]);
        var settings = Options.Create(options);
        return new JobPathWarmup(
            catalog,
            new StageImplementations(catalog, new ModelStore(blobs, Options.Create(new ModelStoreOptions()))),
            new JobLedger(blobs, new WorkerInstance(), settings, TimeProvider.System),
            new CheckpointStore(blobs),
            Options.Create(new Microsoft.AspNetCore.Http.Json.JsonOptions()),
            settings,
            NullLogger<JobPathWarmup>.Instance,
            new RunTerminationMarker(blobs, TimeProvider.System));
    }
}
