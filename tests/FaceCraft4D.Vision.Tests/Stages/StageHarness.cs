using System.Diagnostics;
using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Vision.Tests.Stages;

/// <summary>
/// The stage handlers of stages 1-4 as the worker registers them (<see cref="VisionStageServiceCollectionExtensions"/>),
/// on a blob store, and a way to run one work item the way the worker's job runner does.
/// </summary>
public sealed class StageHarness : IDisposable
{
    private readonly ServiceProvider provider;

    public StageHarness(IBlobStore blobs, IReadOnlyDictionary<string, string?>? configuration = null)
    {
        Blobs = blobs;
        var config = new ConfigurationBuilder().AddInMemoryCollection(configuration ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(blobs);
        services.AddVisionStageHandlers(config);
        provider = services.BuildServiceProvider();
        Handlers = provider.GetServices<IStageHandler>().ToDictionary(h => h.Stage);
    }

    public IBlobStore Blobs { get; }

    public IReadOnlyDictionary<PipelineStage, IStageHandler> Handlers { get; }

    /// <summary>Runs one work item; returns its result and wall time.</summary>
    public async Task<(StageResult Result, TimeSpan Elapsed)> RunAsync(
        PipelineStage stage, string runId, string key, IReadOnlyDictionary<string, BlobRef> inputs, PipelineSettings settings,
        IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        var request = new StageRequest(runId, stage, key, inputs, settings, parameters ?? new Dictionary<string, string>());
        var context = new StageJobContext(request, Blobs, new Progress<JobProgress>(), "test", cancellationToken);
        var clock = Stopwatch.StartNew();
        var result = await Handlers[stage].ExecuteAsync(context);
        return (result, clock.Elapsed);
    }

    /// <summary>The input names a downstream stage sees for these outputs (<c>{stage}/{name}</c> or <c>{stage}/{key}/{name}</c>).</summary>
    public static IEnumerable<KeyValuePair<string, BlobRef>> AsInputs(PipelineStage stage, string key, StageResult result) =>
        result.Outputs.Select(kv => new KeyValuePair<string, BlobRef>(
            key == PipelinePlan.SingleKey ? $"{stage.Slug()}/{kv.Key}" : $"{stage.Slug()}/{key}/{kv.Key}", kv.Value));

    public void Dispose() => provider.Dispose();
}
