namespace FaceCraft4D.Animation.Rig;

/// <summary>Settings of <see cref="ExpressionControlSolver"/> (configuration section <c>Fc4d:Animation:Controls</c>).</summary>
public sealed class ExpressionControlSolverOptions
{
    /// <summary>Ridge weight relative to the mean diagonal of the normal matrix (keeps coefficients moderate).</summary>
    public double Ridge { get; set; } = 0.02;

    /// <summary>Weight of the inner landmarks a control does not name (they should stay still).</summary>
    public double StillWeight { get; set; } = 0.5;

    /// <summary>Expression components used at most (FLAME has 100; the first ones carry most of the motion).</summary>
    public int MaxComponents { get; set; } = 100;
}
