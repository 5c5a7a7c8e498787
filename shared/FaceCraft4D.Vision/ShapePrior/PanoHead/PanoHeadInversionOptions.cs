namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// Settings of <see cref="PanoHeadInverter"/>: PanoHead's projector (latent optimisation with 0.1 x MSE + LPIPS +
/// |w - w_avg|^2, noise-perturbed w, cosine learning-rate ramp) followed by pivotal tuning (PTI: the generator's
/// weights optimised with L2 + LPIPS, the latent fixed).
/// </summary>
public sealed class PanoHeadInversionOptions
{
    /// <summary>Latent optimisation steps (projector: 1000 by default; PanoHead's PTI script uses a few hundred).</summary>
    public int LatentSteps { get; set; } = 400;

    /// <summary>Peak learning rate of the latent.</summary>
    public double LatentLearningRate { get; set; } = 0.1;

    /// <summary>Samples of z for the mean and spread of w.</summary>
    public int WAverageSamples { get; set; } = 1000;

    /// <summary>Initial w noise relative to the w spread.</summary>
    public double InitialNoiseFactor { get; set; } = 0.05;

    /// <summary>Fraction of the steps over which the w noise fades out.</summary>
    public double NoiseRampLength { get; set; } = 0.75;

    /// <summary>Fraction of the steps of the final cosine ramp-down of the learning rate.</summary>
    public double LearningRateRampDown { get; set; } = 0.25;

    /// <summary>Fraction of the steps of the initial ramp-up of the learning rate.</summary>
    public double LearningRateRampUp { get; set; } = 0.05;

    /// <summary>Weight of the pixel MSE in the latent stage.</summary>
    public double LatentMseWeight { get; set; } = 0.1;

    /// <summary>Weight of |w - w_avg|^2 in the latent stage.</summary>
    public double LatentNormWeight { get; set; } = 1.0;

    /// <summary>Pivotal tuning steps (PTI: 350).</summary>
    public int PivotalSteps { get; set; } = 350;

    /// <summary>Learning rate of the generator's weights during pivotal tuning (PTI: 3e-4).</summary>
    public double PivotalLearningRate { get; set; } = 3e-4;

    /// <summary>Weight of the L2 term during pivotal tuning.</summary>
    public double PivotalL2Weight { get; set; } = 1.0;

    /// <summary>Weight of the LPIPS term during pivotal tuning.</summary>
    public double PivotalLpipsWeight { get; set; } = 1.0;

    /// <summary>Images larger than this are area-downsampled before LPIPS (VGG works at about 224-256 px).</summary>
    public int LpipsResolution { get; set; } = 256;
}
