namespace FaceCraft4D.Graphics.Training;

/// <summary>Adaptive density control (3DGS defaults; iteration numbers are absolute training iterations).</summary>
public sealed class DensificationOptions
{
    /// <summary>Turn densification and pruning on or off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>First iteration that densifies.</summary>
    public int FromIteration { get; set; } = 500;

    /// <summary>Iteration after which densification stops (statistics are gathered until then).</summary>
    public int UntilIteration { get; set; } = 15_000;

    /// <summary>Densify every this many iterations.</summary>
    public int Interval { get; set; } = 100;

    /// <summary>Average view-space (NDC) positional gradient above which a Gaussian is cloned or split.</summary>
    public double GradientThreshold { get; set; } = 0.0002;

    /// <summary>Gaussians with a world scale above this fraction of the scene extent are split, smaller ones cloned.</summary>
    public double PercentDense { get; set; } = 0.01;

    /// <summary>Children created by a split.</summary>
    public int SplitCount { get; set; } = 2;

    /// <summary>Gaussians with opacity below this are pruned.</summary>
    public double MinOpacity { get; set; } = 0.005;

    /// <summary>Reset all opacities to at most 0.01 every this many iterations (0 = never).</summary>
    public int OpacityResetInterval { get; set; } = 3000;

    /// <summary>After the first opacity reset, prune Gaussians whose screen radius exceeded this many pixels.</summary>
    public double MaxScreenSize { get; set; } = 20;

    /// <summary>Prune Gaussians whose world scale exceeds this fraction of the scene extent (together with MaxScreenSize).</summary>
    public double MaxWorldScaleFraction { get; set; } = 0.1;

    /// <summary>Upper bound on the number of Gaussians (densification keeps the largest gradients when it would exceed it).</summary>
    public long MaxGaussians { get; set; } = 1_000_000;
}
