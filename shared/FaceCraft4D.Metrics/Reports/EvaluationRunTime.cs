namespace FaceCraft4D.Metrics.Reports;

/// <summary>
/// Times of one avatar run of an evaluation batch, from the run's stage table (<c>RunOutput.Timing</c>):
/// <paramref name="Wall"/> from the run's start to its end (waits for a worker slot included, so it grows when the
/// batch runs several images at once or the machine is shared) and <paramref name="Work"/>, the stage work the
/// workers did for it (null when the run recorded no timing).
/// </summary>
public sealed record EvaluationRunTime(TimeSpan Wall, TimeSpan? Work);
