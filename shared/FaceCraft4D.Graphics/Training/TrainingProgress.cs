namespace FaceCraft4D.Graphics.Training;

/// <summary>Progress report of <see cref="GaussianTrainer"/>.</summary>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="TotalIterations">Iterations planned.</param>
/// <param name="Loss">Total loss of the last iteration.</param>
/// <param name="L1">L1 term of the last iteration.</param>
/// <param name="DSsim">1 - SSIM of the last iteration.</param>
/// <param name="Regularization">Position/scale regularisers of the last iteration.</param>
/// <param name="Extra">Hook loss of the last iteration (0 when none).</param>
/// <param name="Psnr">PSNR (dB) of the last rendered training view.</param>
/// <param name="GaussianCount">Current number of Gaussians.</param>
/// <param name="Elapsed">Wall time of this training call.</param>
public sealed record TrainingProgress(int Iteration, int TotalIterations, double Loss, double L1, double DSsim, double Regularization,
    double Extra, double Psnr, long GaussianCount, TimeSpan Elapsed);
