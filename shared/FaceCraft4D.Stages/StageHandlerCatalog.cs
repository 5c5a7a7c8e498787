using FaceCraft4D.Contracts;

namespace FaceCraft4D.Stages;

/// <summary>The stage handlers registered in a worker, by stage.</summary>
public sealed class StageHandlerCatalog
{
    private readonly Dictionary<PipelineStage, IStageHandler> handlers;

    /// <summary>Indexes the registered handlers; two handlers for one stage is a configuration error.</summary>
    public StageHandlerCatalog(IEnumerable<IStageHandler> registered)
    {
        handlers = [];
        foreach (var handler in registered)
        {
            if (!handlers.TryAdd(handler.Stage, handler))
            {
                throw new InvalidOperationException($"Two handlers registered for stage {handler.Stage.Slug()}.");
            }
        }
    }

    /// <summary>The handler of a stage, or null when this worker has none yet.</summary>
    public IStageHandler? Find(PipelineStage stage) => handlers.GetValueOrDefault(stage);

    /// <summary>Stage slug to backends, for the capabilities endpoint.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Capabilities() =>
        PipelineStages.Every.ToDictionary(
            s => s.Slug(),
            s => handlers.TryGetValue(s, out var h) ? h.Backends : (IReadOnlyList<string>)[]);
}
