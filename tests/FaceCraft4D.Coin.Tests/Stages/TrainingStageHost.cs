using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>The stage 7-9 handlers as the worker registers them (<see cref="TrainingStageServiceCollectionExtensions.AddTrainingStageHandlers"/>) over a given blob store.</summary>
internal sealed class TrainingStageHost : IDisposable
{
    private readonly ServiceProvider provider;

    public TrainingStageHost(IBlobStore blobs, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        Blobs = blobs;
        var values = new Dictionary<string, string?>
        {
            ["Fc4d:Training:Device"] = "cpu",
            ["Fc4d:Training:ProgressEvery"] = "1",
            ["Fc4d:Training:PreviewViews"] = "2",
            ["Fc4d:Export:Device"] = "cpu",
            ["Fc4d:Export:TurntableFrames"] = "4",
            ["Fc4d:Export:TurntableSize"] = "32",
            ["Fc4d:Export:AnimationPreviewSize"] = "32",
            ["Fc4d:Export:DemoClipFrames"] = "4",
            ["Fc4d:Evaluate:ImageSize"] = "48",
            ["Fc4d:Evaluate:Models:EnableLpips"] = "false",
            ["Fc4d:Evaluate:Models:EnableClip"] = "false",
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(blobs);
        services.AddTrainingStageHandlers(configuration);
        services.AddEvaluationStageHandler(configuration);
        provider = services.BuildServiceProvider();
    }

    public IBlobStore Blobs { get; }

    public IStageHandler Handler(PipelineStage stage) => provider.GetServices<IStageHandler>().Single(h => h.Stage == stage);

    public T Get<T>() where T : notnull => provider.GetRequiredService<T>();

    /// <summary>Runs a request; progress reports are collected in <paramref name="progress"/>.</summary>
    public Task<StageResult> RunAsync(StageRequest request, List<JobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Handler(request.Stage).ExecuteAsync(new StageJobContext(request, Blobs, new Collect(progress ?? []), "test", cancellationToken));

    /// <summary>Runs a request with a progress callback.</summary>
    public Task<StageResult> RunAsync(StageRequest request, Action<JobProgress> onProgress, CancellationToken cancellationToken) =>
        Handler(request.Stage).ExecuteAsync(new StageJobContext(request, Blobs, new Callback(onProgress), "test", cancellationToken));

    public async Task<BinaryData> ReadAsync(BlobRef blob) =>
        await Blobs.TryReadAsync(blob, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"{blob} is missing");

    public void Dispose() => provider.Dispose();

    private sealed class Collect(List<JobProgress> list) : IProgress<JobProgress>
    {
        public void Report(JobProgress value)
        {
            lock (list) list.Add(value);
        }
    }

    private sealed class Callback(Action<JobProgress> action) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => action(value);
    }
}
