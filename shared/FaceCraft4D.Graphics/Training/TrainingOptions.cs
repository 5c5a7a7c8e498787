namespace FaceCraft4D.Graphics.Training;

/// <summary>
/// Hyper-parameters of <see cref="GaussianTrainer"/> (bindable from configuration). Learning rates follow 3DGS;
/// <see cref="FlameAvatarDefaults"/> gives the GaussianAvatars values for Gaussians bound to FLAME (local units).
/// </summary>
public sealed class TrainingOptions
{
    /// <summary>Total iterations (the paper's static stage: 30K).</summary>
    public int Iterations { get; set; } = 30_000;

    /// <summary>Seed of view order, split sampling and random backgrounds.</summary>
    public ulong Seed { get; set; }

    /// <summary>Initial position learning rate (decays exponentially to <see cref="PositionLrFinal"/>).</summary>
    public double PositionLrInit { get; set; } = 0.00016;

    /// <summary>Final position learning rate.</summary>
    public double PositionLrFinal { get; set; } = 0.0000016;

    /// <summary>Iterations over which the position learning rate decays.</summary>
    public int PositionLrMaxSteps { get; set; } = 30_000;

    /// <summary>Multiply the position learning rates by the scene extent (3DGS, world units); false for bound (local) units.</summary>
    public bool ScalePositionLrByExtent { get; set; } = true;

    /// <summary>Learning rate of the SH DC coefficients.</summary>
    public double FeatureLr { get; set; } = 0.0025;

    /// <summary>Learning rate of the higher SH coefficients (3DGS: FeatureLr / 20).</summary>
    public double FeatureRestLr { get; set; } = 0.0025 / 20;

    /// <summary>Learning rate of the opacity logits.</summary>
    public double OpacityLr { get; set; } = 0.025;

    /// <summary>Learning rate of the log scales.</summary>
    public double ScalingLr { get; set; } = 0.005;

    /// <summary>Learning rate of the rotations.</summary>
    public double RotationLr { get; set; } = 0.001;

    /// <summary>Weight of D-SSIM in (1 - w) L1 + w (1 - SSIM).</summary>
    public double LambdaDssim { get; set; } = 0.2;

    /// <summary>Raise the active SH degree every this many iterations (up to the model's maximum).</summary>
    public int ShDegreeInterval { get; set; } = 1000;

    /// <summary>Background colour (RGB in [0, 1]); the pipeline's images have a white background.</summary>
    public double[] Background { get; set; } = { 1.0, 1.0, 1.0 };

    /// <summary>Use a random background colour each iteration instead of <see cref="Background"/>.</summary>
    public bool RandomBackground { get; set; }

    /// <summary>Bound models: weight of relu(|local position| - threshold) (GaussianAvatars lambda_xyz).</summary>
    public double LambdaPosition { get; set; }

    /// <summary>Bound models: position threshold in triangle units.</summary>
    public double PositionThreshold { get; set; } = 1.0;

    /// <summary>Bound models: weight of |relu(local scale - threshold)| (GaussianAvatars lambda_scale).</summary>
    public double LambdaScale { get; set; }

    /// <summary>Bound models: scale threshold in triangle units.</summary>
    public double ScaleThreshold { get; set; } = 0.6;

    /// <summary>Scene radius for densification and position learning rates; null = 1.1 x the largest camera distance from the cameras' mean (3DGS).</summary>
    public double? SceneExtent { get; set; }

    /// <summary>Report progress every this many iterations.</summary>
    public int ProgressInterval { get; set; } = 100;

    /// <summary>Call the checkpoint sink every this many iterations (0 = never).</summary>
    public int CheckpointInterval { get; set; } = 1000;

    /// <summary>
    /// FLAME-bound models: pose each training frame's triangles once and reuse them (<see cref="Avatar.PosedTriangleCache"/>)
    /// instead of running FLAME every step; false = pose every step (the path before; benchmarks compare).
    /// </summary>
    public bool CachePosedFrames { get; set; } = true;

    /// <summary>
    /// D-SSIM through the fused CPU kernel (<see cref="ImageQuality.Ssim.WeightedMapSum"/>: direct 11-tap separable window and
    /// analytic backward) instead of the band-matrix GEMMs; false = the path before (benchmarks compare).
    /// </summary>
    public bool FusedSsim { get; set; } = true;

    /// <summary>
    /// Adam on CPU float32 parameters as one fused SIMD pass per parameter (<see cref="AdamOptimizer.Fused"/>) instead of
    /// op by op; false = the path before (benchmarks compare).
    /// </summary>
    public bool FusedAdam { get; set; } = true;

    /// <summary>
    /// The position and scale regularisers of bound models as one fused pass with an analytic backward
    /// (<see cref="BoundRegularisersFunction"/>, CPU) instead of tensor operations; false = the path before (benchmarks compare).
    /// </summary>
    public bool FusedRegularisers { get; set; } = true;

    /// <summary>Adaptive density control.</summary>
    public DensificationOptions Densification { get; set; } = new();

    /// <summary>A final phase that draws one view more often (<see cref="FocusViewSchedule"/>); null = shuffled epochs throughout.</summary>
    public FocusViewSchedule? FocusView { get; set; }

    /// <summary>3DGS defaults for free (world-space) Gaussians.</summary>
    public static TrainingOptions StaticSceneDefaults() => new();

    /// <summary>
    /// GaussianAvatars defaults for Gaussians bound to FLAME triangles: local-unit position learning rates
    /// (0.005 to 0.00005), scaling 0.017, opacity 0.05, position/scale regularisers (0.01 / 1.0, thresholds 1 / 0.6).
    /// </summary>
    public static TrainingOptions FlameAvatarDefaults() => new()
    {
        PositionLrInit = 0.005,
        PositionLrFinal = 0.00005,
        ScalePositionLrByExtent = false,
        ScalingLr = 0.017,
        OpacityLr = 0.05,
        LambdaPosition = 0.01,
        LambdaScale = 1.0,
    };

    /// <summary>3DGS exponential learning-rate decay from init to final over max steps.</summary>
    public static double ExponentialLr(int step, double init, double final, int maxSteps)
    {
        if (init <= 0 && final <= 0) return 0;
        double t = Math.Clamp(step / (double)Math.Max(1, maxSteps), 0, 1);
        return Math.Exp(Math.Log(init) * (1 - t) + Math.Log(final) * t);
    }
}
