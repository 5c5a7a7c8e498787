namespace FaceCraft4D.Contracts;

/// <summary>
/// Where a stage's (or the whole run's) wall time went: stage work at the worker and everything else (dispatch, polls,
/// checkpoint look-ups, hand-offs, waits for a worker slot while none of its items ran), with the peak memory seen.
/// </summary>
/// <param name="WallSeconds">From the stage's (run's) start to the orchestration seeing its last item end (orchestration clock).</param>
/// <param name="WorkSeconds">Time inside that span when at least one of its work items ran at a worker (union of the handlers' run times).</param>
/// <param name="OverheadSeconds">Wall time outside stage work: <c>WallSeconds - WorkSeconds</c>.</param>
/// <param name="QueueSeconds">Longest wait of one of its jobs for a free worker slot (part of the overhead when nothing else of it ran).</param>
/// <param name="WorkerPeakRssMiB">Largest peak resident memory of the worker process its jobs reported (null: none reported).</param>
/// <param name="HostPeakRssMiB">Largest peak resident memory of the orchestrating host process when it saw its items end.</param>
/// <param name="StartedAt">Start of the span (orchestration clock).</param>
/// <param name="EndedAt">End of the span: the orchestration saw its last item end.</param>
public sealed record StageTiming(
    double WallSeconds,
    double WorkSeconds,
    double OverheadSeconds,
    double QueueSeconds,
    double? WorkerPeakRssMiB,
    double? HostPeakRssMiB,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? EndedAt = null)
{
    /// <summary>Share of the wall time outside stage work (0 when the wall time is zero).</summary>
    public double OverheadShare => WallSeconds > 0 ? OverheadSeconds / WallSeconds : 0;

    /// <summary>
    /// The timing of a span <paramref name="start"/>..<paramref name="end"/> whose work items ran as <paramref name="work"/>:
    /// the union of the handlers' run times, clipped to the span, is the work.
    /// </summary>
    public static StageTiming Of(DateTimeOffset start, DateTimeOffset end, IEnumerable<StageWork> work)
    {
        var items = work.ToList();
        var wall = Math.Max(0, (end - start).TotalSeconds);
        var busy = 0.0;
        var reach = start;
        foreach (var w in items.OrderBy(w => w.StartedAt))
        {
            var from = w.StartedAt > reach ? w.StartedAt : reach;
            var to = w.CompletedAt < end ? w.CompletedAt : end;
            if (to > from)
            {
                busy += (to - from).TotalSeconds;
                reach = to;
            }
        }

        return new StageTiming(
            Round(wall), Round(busy), Round(Math.Max(0, wall - busy)), Round(items.Select(w => w.QueueSeconds).DefaultIfEmpty(0).Max()),
            items.Max(w => w.WorkerPeakRssMiB) is { } worker ? Math.Round(worker, 1) : null,
            items.Max(w => w.HostPeakRssMiB) is { } host ? Math.Round(host, 1) : null,
            start, end);
    }

    private static double Round(double seconds) => Math.Round(seconds, 3);
}
