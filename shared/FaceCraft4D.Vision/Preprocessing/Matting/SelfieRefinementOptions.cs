namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// Tunables of <see cref="UncertainBandRefinement"/>, the colour decision of the selfie net's uncertain pixels away from
/// the face (configuration section <c>Preprocess:MattingSettings:Selfie:Refinement</c>). <see cref="Enabled"/> false
/// gives the net's thresholded mask as before (the before/after switch on one build).
/// </summary>
public sealed class SelfieRefinementOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Person probabilities strictly between these two are uncertain; at or below Low is sure background.</summary>
    public double UncertainLow { get; set; } = 0.2;
    public double UncertainHigh { get; set; } = 0.8;
    /// <summary>
    /// Normalised radius of the head ellipse (<see cref="HeadEllipse"/>, semi-axes from <see cref="MattingOptions"/>)
    /// within which hair is expected: there an uncertain pixel keeps the net's probability as its prior. Rows at or below the chin are treated as within reach (neck and torso).
    /// (Confident pixels, p &gt;= UncertainHigh, are person at any distance.)
    /// </summary>
    public double HairReach { get; set; } = 0.7;
    /// <summary>Beyond the reach the prior is the net's probability times exp(-(rho - HairReach) / ReachFalloff).</summary>
    public double ReachFalloff { get; set; } = 0.2;
    /// <summary>The prior is clamped to [PriorFloor, 1 - PriorFloor]: a colour difference larger than PriorWeight * log((1 - floor) / floor) nats decides against it.</summary>
    public double PriorFloor { get; set; } = 0.05;
    /// <summary>Weight of -log(prior) against the colour models' -log likelihood in the graph cut's data term.</summary>
    public double PriorWeight { get; set; } = 2.0;
    /// <summary>Side of the square on which the graph cut runs (larger crops are downscaled to it).</summary>
    public int WorkingSize { get; set; } = 256;
    /// <summary>The graph cut's colour models and smoothness (fewer rounds than the GrabCut backend: most labels are fixed).</summary>
    public GrabCutOptions GrabCut { get; set; } = new() { Iterations = 3 };
}
