using System.Net;
using System.Text;
using System.Text.Json;
using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.Integration.Tests;

/// <summary>The blob entry point (uploads watcher, same intake as the Functions blob trigger) and evaluation batches.</summary>
public sealed class UploadAndEvaluationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task An_uploaded_photo_starts_a_run_and_a_bad_upload_is_moved_aside_with_its_reason()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(30));
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "uploads", watchUploads: true);
        var blobs = azurite.CreateBlobStore();

        var good = new BlobRef(StorageLayout.UploadsContainer, "alice/portrait.jpg");
        await blobs.WriteAsync(good, new BinaryData(TestPortraits.Jpeg(41)), "image/jpeg", CancellationToken.None);
        var bad = new BlobRef(StorageLayout.UploadsContainer, "bob/notes.jpg");
        await blobs.WriteAsync(bad, BinaryData.FromString("not a photo at all"), "image/jpeg", CancellationToken.None);

        var runId = await Eventually(async () => (await blobs.GetInfoAsync(good, CancellationToken.None))?.Metadata.GetValueOrDefault(UploadIntake.RunIdMetadataKey));
        var (rejected, reasonFile) = StorageLayout.RejectedUpload(bad.Name);
        var reason = await Eventually(async () => await blobs.TryReadAsync(reasonFile, CancellationToken.None));

        Assert.Equal("not-an-image", JsonDocument.Parse(reason.ToString()).RootElement.GetProperty("reason").GetString());
        Assert.NotNull(await blobs.GetInfoAsync(rejected, CancellationToken.None));
        Assert.Null(await blobs.GetInfoAsync(bad, CancellationToken.None));
        Assert.Equal("Completed", (await host.WaitForEndAsync(runId, TimeSpan.FromMinutes(3))).RuntimeStatus);
        Assert.Equal(RunSource.BlobUpload, (await ReadManifestAsync(blobs, runId)).Input.Source);
    }

    [Fact]
    public async Task An_evaluation_batch_runs_every_image_of_its_set_and_writes_a_report()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(30));
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "evaluation");
        var blobs = azurite.CreateBlobStore();
        foreach (var (name, bytes) in new[] { ("a.jpg", TestPortraits.Jpeg(51)), ("b.png", TestPortraits.Png(52)), ("c.jpg", Encoding.UTF8.GetBytes("broken")) })
        {
            await blobs.WriteAsync(new BlobRef(StorageLayout.EvalContainer, $"sets/smoke/{name}"), new BinaryData(bytes), "image/jpeg", CancellationToken.None);
        }

        using var start = await host.Http.PostAsync("/api/evaluations",
            new StringContent($"{{\"set\":\"smoke\",\"settings\":{TestConfiguration.SmallRunSettings}}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var id = JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var view = await Eventually(async () =>
        {
            var status = JsonSerializer.Deserialize<EvaluationStatusView>(await host.Http.GetStringAsync($"/api/evaluations/{id}"), ContractJson.Options);
            return status is { RuntimeStatus: not ("Pending" or "Running") } ? status : null;
        }, TimeSpan.FromMinutes(4));

        Assert.Equal("Completed", view.RuntimeStatus);
        Assert.Equal(["completed", "completed", "rejected"], view.Output!.Entries.Select(e => e.Status));
        var report = FaceCraft4D.Metrics.Evaluation.MetricsJson.Deserialize<FaceCraft4D.Metrics.Reports.EvaluationReport>(
            (await blobs.TryReadAsync(view.Output.Report[0], CancellationToken.None))!.ToString());
        Assert.Equal(2, report.Entries.Count(e => e.Status == FaceCraft4D.Metrics.Reports.EvaluationRunStatus.Completed));
        Assert.Equal(30, report.Summary.Single(s => s.Metric == "psnr").Mean!.Value, 6);
        Assert.Contains("report.html", view.Output.Report[1].Name);
        Assert.Contains("<html", (await blobs.TryReadAsync(view.Output.Report[1], CancellationToken.None))!.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.PostAsync("/api/evaluations",
            new StringContent("{\"set\":\"../x\"}", Encoding.UTF8, "application/json"))).StatusCode);
    }

    private static async Task<FaceCraft4D.Pipeline.Activities.RunManifest> ReadManifestAsync(FaceCraft4D.Storage.IBlobStore blobs, string runId) =>
        (await blobs.TryReadAsync(StorageLayout.AvatarArtifact(runId, "manifest.json"), CancellationToken.None))!
            .ToObjectFromJson<FaceCraft4D.Pipeline.Activities.RunManifest>(ContractJson.Options)!;

    private static async Task<T> Eventually<T>(Func<Task<T?>> probe, TimeSpan? timeout = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("Condition not met in time.");
    }
}
