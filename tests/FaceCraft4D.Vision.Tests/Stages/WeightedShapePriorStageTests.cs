using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Testing;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.Stages;

/// <summary>The <c>panohead</c> shape prior through the ShapePrior stage handler, on the tiny random generator folder.</summary>
[Collection(TinyWeightedRunCollection.Name)]
public sealed class WeightedShapePriorStageTests(TinyWeightedRun run, ITestOutputHelper output)
{
    [Fact]
    public async Task Inversion_and_pivotal_tuning_lower_the_reconstruction_loss_and_the_views_come_from_the_generator()
    {
        var settings = run.Settings with { ShapePriorBackend = "panohead" };
        var (result, elapsed) = await run.Harness.RunAsync(PipelineStage.ShapePrior, "panohead", PipelinePlan.SingleKey, run.Inputs, settings);

        var m = result.Metrics!;
        double initial = m["inversion_initial_loss"], latent = m["inversion_latent_loss"], pivotal = m["inversion_pivotal_loss"];
        output.WriteLine($"MSE + LPIPS at the mean latent {initial:F4}, after 12 latent steps {latent:F4}, after 12 pivotal steps {pivotal:F4} ({elapsed.TotalSeconds:F1} s)");
        Assert.Equal("panohead", result.Backend);
        Assert.True(latent < initial, $"latent stage: {latent} vs {initial}");
        Assert.True(pivotal < latent, $"pivotal tuning: {pivotal} vs {latent}");

        async Task<BinaryData> Read(BlobRef blob) => await run.Harness.Blobs.TryReadAsync(blob, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"{blob} is missing");
        using var flame = JsonDocument.Parse((await Read(result.Outputs[StageFiles.Flame])).ToString());
        Assert.Equal("panohead", flame.RootElement.GetProperty("backend").GetString());
        // Same cameras as the template run, other pictures: the views are the generator's renders, not the template's.
        for (int view = 0; view < settings.ViewCount; view++)
        {
            var gan = StageImageCodec.ReadRgb(await Read(result.Outputs[StageFiles.ViewImage(view)]), "gan");
            var template = StageImageCodec.ReadRgb(await Read(run.Inputs[StageFiles.From(PipelineStage.ShapePrior, StageFiles.ViewImage(view))]), "template");
            double difference = gan.Data.Zip(template.Data, (a, b) => (double)Math.Abs(a - b)).Average();
            var depth = (await Read(result.Outputs[StageFiles.ViewDepth(view)])).ToArray();
            int covered = Enumerable.Range(0, depth.Length / 4).Count(i => BitConverter.ToSingle(depth, 4 * i) > 0);
            output.WriteLine($"view {view}: mean |panohead - template| {difference:F3}, {covered} of {depth.Length / 4} pixels with depth");
            Assert.True(difference > 0.02, $"view {view}: {difference}");
        }
        Assert.Equal((await Read(run.Inputs[StageFiles.From(PipelineStage.ShapePrior, StageFiles.Views)])).ToString(), (await Read(result.Outputs[StageFiles.Views])).ToString());
    }

    [Fact]
    public async Task Without_the_weights_the_backend_is_unavailable_and_names_the_missing_files_and_the_folder()
    {
        var empty = Path.Combine(Path.GetTempPath(), "fc4d-no-models", Guid.NewGuid().ToString("N"));
        var configuration = new Dictionary<string, string?>(run.Configuration) { ["Fc4d:Models:LocalPath"] = empty };
        using var harness = new StageHarness(new InMemoryBlobStore(), configuration);
        foreach (var (name, blob) in run.Inputs)
        {
            var data = await run.Harness.Blobs.TryReadAsync(blob, CancellationToken.None);
            await harness.Blobs.WriteAsync(blob, data!, "application/octet-stream", CancellationToken.None);
        }

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() =>
            harness.RunAsync(PipelineStage.ShapePrior, "no-weights", PipelinePlan.SingleKey, run.Inputs, run.Settings with { ShapePriorBackend = "panohead" }));

        output.WriteLine(error.Message);
        Assert.Contains("generator.safetensors", error.Message);
        Assert.Contains("lpips-vgg16.safetensors", error.Message);
        Assert.Contains(Path.Combine(empty, "panohead/v1/"), error.Message);
    }
}
