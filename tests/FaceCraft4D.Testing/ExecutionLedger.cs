using System.Collections.Concurrent;
using FaceCraft4D.Contracts;

namespace FaceCraft4D.Testing;

/// <summary>Counts how often each work item was really executed by a fake stage handler.</summary>
public sealed class ExecutionLedger
{
    private readonly ConcurrentDictionary<string, int> executions = new(StringComparer.Ordinal);

    /// <summary>Records one execution.</summary>
    public void Record(StageRequest request) => executions.AddOrUpdate(Key(request.RunId, request.Stage, request.Key), 1, (_, n) => n + 1);

    /// <summary>Executions of one work item.</summary>
    public int Count(string runId, PipelineStage stage, string key) => executions.GetValueOrDefault(Key(runId, stage, key));

    /// <summary>All work items executed more than once.</summary>
    public IReadOnlyList<string> Duplicates() => executions.Where(kv => kv.Value > 1).Select(kv => $"{kv.Key} x{kv.Value}").ToArray();

    /// <summary>Executions of one stage across all runs.</summary>
    public int StageTotal(PipelineStage stage) => executions.Where(kv => kv.Key.Contains($"|{stage.Slug()}|", StringComparison.Ordinal)).Sum(kv => kv.Value);

    /// <summary>Executions of a run.</summary>
    public int RunTotal(string runId) => executions.Where(kv => kv.Key.StartsWith(runId + "|", StringComparison.Ordinal)).Sum(kv => kv.Value);

    private static string Key(string runId, PipelineStage stage, string key) => $"{runId}|{stage.Slug()}|{key}";
}
