namespace FaceCraft4D.Coin;

/// <summary>Progress of a resumable training run (the worker turns it into the job's progress).</summary>
/// <param name="Iteration">Iterations completed (continues across resumes).</param>
/// <param name="TotalIterations">Iterations planned.</param>
/// <param name="Figures">Losses and counters of the last step: <c>loss</c>, <c>l1</c>, <c>dssim</c>, <c>psnr</c>, <c>gaussians</c>,
/// with COIN also <c>perceptual</c>, <c>offset_l1</c>, <c>consistent_psnr</c>.</param>
/// <param name="EtaSeconds">Estimated seconds left (from this session's speed), when known.</param>
/// <param name="ResumedFrom">The iteration this session resumed from, null when it started fresh.</param>
public sealed record TrainingReport(int Iteration, int TotalIterations, IReadOnlyDictionary<string, double> Figures, double? EtaSeconds, int? ResumedFrom);
