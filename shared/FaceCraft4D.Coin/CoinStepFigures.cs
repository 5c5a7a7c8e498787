namespace FaceCraft4D.Coin;

/// <summary>The COIN terms of the last training step (unweighted), for progress reports.</summary>
/// <param name="Perceptual">P(I_C, I*).</param>
/// <param name="OffsetL1">mean |c_offset| over the rendered Gaussians.</param>
/// <param name="ConsistentPsnr">PSNR of I_C against the target (dB).</param>
public sealed record CoinStepFigures(double Perceptual, double OffsetL1, double ConsistentPsnr);
