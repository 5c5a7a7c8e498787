namespace FaceCraft4D.Coin;

/// <summary>How a resumable training run ended.</summary>
/// <param name="Iterations">Iterations completed in all.</param>
/// <param name="ResumedFrom">Iteration resumed from, or null for a fresh start.</param>
/// <param name="IgnoredState">A saved state that was not used (another job's, or unreadable), described; null otherwise.</param>
/// <param name="CheckpointsWritten">States saved by this session.</param>
/// <param name="Elapsed">Wall time of this session's training.</param>
/// <param name="LastFigures">Figures of the last step (empty when no step ran in this session).</param>
public sealed record TrainingRunResult(int Iterations, int? ResumedFrom, string? IgnoredState, int CheckpointsWritten, TimeSpan Elapsed, IReadOnlyDictionary<string, double> LastFigures);
