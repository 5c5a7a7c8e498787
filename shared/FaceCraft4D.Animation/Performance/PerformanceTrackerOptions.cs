using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.Animation.Performance;

/// <summary>
/// Settings of the per-frame FLAME fit of a driving video (<see cref="PerformanceTracker"/>) and of the fan-in
/// (<see cref="PerformanceFanIn"/>). Parameters are scaled so one optimiser unit is ~0.3 rad of rotation, ~10 px of image
/// position, 100 % of depth or one standard deviation of a FLAME coefficient.
/// </summary>
public sealed class PerformanceTrackerOptions
{
    /// <summary>Vertical field of view assumed for the driving camera (degrees; phones' front cameras are ~40-60 deg diagonal).</summary>
    [Range(5, 120)] public double FovYDegrees { get; set; } = 40;

    /// <summary>Expression components fitted (at most the model's).</summary>
    [Range(0, 300)] public int ExpressionComponents { get; set; } = 50;

    /// <summary>Adam iterations of the rigid stage on the first frame of a chunk (pose only, neutral face).</summary>
    [Range(0, 5000)] public int FirstFrameRigidIterations { get; set; } = 120;

    /// <summary>Adam iterations of the full fit on the first frame of a chunk.</summary>
    [Range(1, 5000)] public int FirstFrameIterations { get; set; } = 150;

    /// <summary>Adam iterations per following frame (warm-started from the previous frame).</summary>
    [Range(1, 5000)] public int PerFrameIterations { get; set; } = 30;

    /// <summary>Adam iterations per frame of the fan-in's global refinement pass (0 = no refinement).</summary>
    [Range(0, 5000)] public int RefinementIterations { get; set; } = 15;

    /// <summary>Adam learning rate.</summary>
    [Range(1e-5, 1)] public double LearningRate { get; set; } = 0.03;

    /// <summary>Weight of |psi|^2 (standardised expression coefficients).</summary>
    [Range(0, 100)] public double ExpressionRegularization { get; set; } = 2e-3;

    /// <summary>Weight of the jaw opening squared (radians).</summary>
    [Range(0, 100)] public double JawRegularization { get; set; } = 1e-3;

    /// <summary>Weight of the eye rotations squared (radians).</summary>
    [Range(0, 100)] public double EyeRegularization { get; set; } = 1e-2;

    /// <summary>Temporal weight: |theta_t - theta_prior|^2 in optimiser units, the prior being the previous frame (tracking) or the smoothed neighbours (refinement).</summary>
    [Range(0, 100)] public double TemporalWeight { get; set; } = 0.05;

    /// <summary>
    /// Smallest jaw opening the fit may take, radians. Negative on purpose: the avatar's identity is not the performer's, so
    /// a closed mouth can fit best with the jaw slightly "over-closed"; clamping at 0 would cut the signal. The transfer removes
    /// the offset (relative) or clamps at 0 (absolute).
    /// </summary>
    [Range(-1, 0)] public double MinJawOpening { get; set; } = -0.3;

    /// <summary>Largest jaw opening, radians.</summary>
    [Range(0, 1.5)] public double MaxJawOpening { get; set; } = 0.5;

    /// <summary>Largest eye rotation per axis, radians.</summary>
    [Range(0, 1.5)] public double MaxEyeRotation { get; set; } = 0.5;

    /// <summary>Weight of the iris centres among the dense points (they drive the eyes).</summary>
    [Range(0, 100)] public double IrisWeight { get; set; } = 3;

    /// <summary>Gaussian smoothing of expression, jaw and eyes across frames: sigma in frames (0 = none).</summary>
    [Range(0, 50)] public double ExpressionSmoothingFrames { get; set; } = 1.0;

    /// <summary>Gaussian smoothing of the head pose across frames: sigma in frames (0 = none).</summary>
    [Range(0, 50)] public double PoseSmoothingFrames { get; set; } = 1.5;

    /// <summary>The relative transfer's reference (neutral-ish) frame is searched among the first this-many seconds.</summary>
    [Range(0, 600)] public double NeutralSearchSeconds { get; set; } = 2;

    /// <summary>Largest head translation carried into the clip in relative mode, metres per axis.</summary>
    [Range(0, 1)] public double MaxTranslation { get; set; } = 0.08;

    /// <summary>Checks the ranges; throws <see cref="ValidationException"/>.</summary>
    public PerformanceTrackerOptions Validated()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        return this;
    }
}
