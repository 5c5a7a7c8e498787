using FaceCraft4D.Animation.Clips;
using FaceCraft4D.Graphics.Flame;

namespace FaceCraft4D.Animation.Rig;

/// <summary>
/// Turns clip frames into FLAME parameters of one head model: semantic controls through
/// <see cref="ExpressionControlSolver"/> (expression controls) or their fixed rotations (pose controls), plus the clip's
/// explicit expression coefficients when the clip's basis is this model's, plus its explicit jaw/neck/eye rotations.
/// The result is relative to the neutral: add it to the subject's fitted parameters (<see cref="Animate"/>).
/// Thread-safe after construction.
/// </summary>
public sealed class ControlRig
{
    private readonly Dictionary<string, float[]> expressionOfControl;

    /// <summary>Solves every expression control for <paramref name="model"/> (named <paramref name="modelName"/>).</summary>
    public ControlRig(FlameModelData model, string modelName, ExpressionControlSolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelName = modelName;
        ExpressionCount = model.ExpressionCount;
        Solver = new ExpressionControlSolver(model, options);
        expressionOfControl = SemanticControls.All.Values.ToDictionary(c => c.Name, c => Solver.Solve(c), StringComparer.Ordinal);
    }

    /// <summary>Name of the model (compared with a clip's expression basis).</summary>
    public string ModelName { get; }

    /// <summary>Expression components of the model.</summary>
    public int ExpressionCount { get; }

    /// <summary>The solver (landmark Jacobian of the model).</summary>
    public ExpressionControlSolver Solver { get; }

    /// <summary>Expression coefficients of a control at activation 1.</summary>
    public float[] ExpressionOf(string control) => expressionOfControl[SemanticControls.Get(control).Name];

    /// <summary>
    /// Whether a clip's explicit coefficients belong to this model: same name (case-insensitive), or the clip says
    /// <c>flame</c> and the model is an official FLAME (its name starts with <c>flame</c>).
    /// </summary>
    public bool AcceptsBasis(string? basis) =>
        basis is not null && (string.Equals(basis, ModelName, StringComparison.OrdinalIgnoreCase)
                              || (string.Equals(basis, "flame", StringComparison.OrdinalIgnoreCase) && ModelName.StartsWith("flame", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The FLAME parameters of one clip frame (relative to neutral).</summary>
    /// <exception cref="InvalidDataException">The clip has explicit coefficients of another model's basis, or an unknown control.</exception>
    public FlameFrame Resolve(ClipFrame frame, string? expressionBasis)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var result = FlameFrame.Zero(ExpressionCount);
        if (frame.Controls is not null)
        {
            foreach (var (name, value) in frame.Controls)
            {
                if (value == 0) continue;
                if (!SemanticControls.All.TryGetValue(name, out var control))
                    throw new InvalidDataException($"Clip control '{name}' is unknown; valid: {string.Join(", ", SemanticControls.All.Keys.Order(StringComparer.Ordinal))}.");
                var e = expressionOfControl[name];
                for (int i = 0; i < e.Length; i++) result.Expression[i] += value * e[i];
                AddScaled(result.Jaw, control.Jaw, value);
                AddScaled(result.Neck, control.Neck, value);
                AddScaled(result.Eyes, control.Eyes, value);
            }
        }
        if (frame.Expression is { Length: > 0 } coefficients)
        {
            if (!AcceptsBasis(expressionBasis))
                throw new InvalidDataException(
                    $"The clip's expression coefficients are in the basis of '{expressionBasis}', but the head model is '{ModelName}'. " +
                    "Give the clip semantic controls instead, or use it with that model.");
            if (coefficients.Length > ExpressionCount)
                throw new InvalidDataException($"The clip has {coefficients.Length} expression coefficients; the model has {ExpressionCount}.");
            for (int i = 0; i < coefficients.Length; i++) result.Expression[i] += coefficients[i];
        }
        AddScaled(result.Jaw, frame.Jaw, 1);
        AddScaled(result.Neck, frame.Neck, 1);
        AddScaled(result.Eyes, frame.Eyes, 1);
        return result;
    }

    /// <summary>
    /// Every frame of <paramref name="clip"/> resampled to <paramref name="frameCount"/> frames, added to the subject's
    /// fitted neutral <paramref name="neutral"/> (same clip, same frames for every view: the synchronisation of paper 3.3).
    /// </summary>
    public IReadOnlyList<FlameFrame> Animate(DrivingClip clip, int frameCount, FlameFrame neutral)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(neutral);
        var resampled = clip.Resampled(frameCount);
        return resampled.Frames.Select(f => neutral.WithExpressionCount(ExpressionCount).Plus(Resolve(f, clip.ExpressionBasis))).ToArray();
    }

    private static void AddScaled(float[] target, float[]? add, float scale)
    {
        if (add is null) return;
        for (int i = 0; i < target.Length && i < add.Length; i++) target[i] += scale * add[i];
    }
}
