using System.Diagnostics;
using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Animation;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Animation.Tests.Stages;

/// <summary>
/// The worker's stage handlers of stages 1-6 as the worker registers them (vision and video extensions) on a blob
/// store, running one work item the way the job runner does.
/// </summary>
public sealed class VideoStageHarness : IDisposable
{
    private readonly ServiceProvider provider;

    public VideoStageHarness(IBlobStore blobs, IReadOnlyDictionary<string, string?>? configuration = null, Action<IServiceCollection>? replace = null)
    {
        Blobs = blobs;
        var config = new ConfigurationBuilder().AddInMemoryCollection(configuration ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(blobs);
        replace?.Invoke(services);
        services.AddVisionStageHandlers(config);
        services.AddVideoStageHandlers(config);
        provider = services.BuildServiceProvider();
        Handlers = provider.GetServices<IStageHandler>().ToDictionary(h => h.Stage);
    }

    public IBlobStore Blobs { get; }

    public IReadOnlyDictionary<PipelineStage, IStageHandler> Handlers { get; }

    public async Task<(StageResult Result, TimeSpan Elapsed)> RunAsync(PipelineStage stage, string runId, string key,
        IReadOnlyDictionary<string, BlobRef> inputs, PipelineSettings settings, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var request = new StageRequest(runId, stage, key, inputs, settings, parameters ?? new Dictionary<string, string>());
        var context = new StageJobContext(request, Blobs, new Progress<JobProgress>(), "test", CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var result = await Handlers[stage].ExecuteAsync(context);
        return (result, clock.Elapsed);
    }

    /// <summary>Input names a downstream stage sees for these outputs.</summary>
    public static IEnumerable<KeyValuePair<string, BlobRef>> AsInputs(PipelineStage stage, string key, StageResult result) =>
        result.Outputs.Select(kv => new KeyValuePair<string, BlobRef>(
            key == PipelinePlan.SingleKey ? $"{stage.Slug()}/{kv.Key}" : $"{stage.Slug()}/{key}/{kv.Key}", kv.Value));

    public void Dispose() => provider.Dispose();
}
