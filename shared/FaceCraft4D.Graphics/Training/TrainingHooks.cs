using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Splatting;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Training;

/// <summary>What a hook sees at one training iteration.</summary>
/// <param name="Iteration">The iteration being computed (1-based).</param>
/// <param name="View">The supervised view.</param>
/// <param name="Model">The model being trained.</param>
public sealed record TrainingStepContext(int Iteration, TrainingView View, IGaussianAvatar Model)
{
    /// <summary>The step's posed Gaussians (<see cref="IGaussianAvatar.Evaluate"/> of the view's frame, SH colours), for hooks that render again.</summary>
    public SplatGaussians? Splat { get; init; }

    /// <summary>The trainer's phase timer (null when not measured): hooks charge their work to its phases.</summary>
    public TrainingPhaseTimer? Timer { get; init; }

    /// <summary>The companion image [H, W, 3] rendered in the same pass (<see cref="TrainingHooks.CompanionColors"/>); null without one.</summary>
    public Tensor? Companion { get; init; }
}

/// <summary>An extra trainable tensor (e.g. an MLP weight) stepped and checkpointed with the Gaussians.</summary>
/// <param name="Name">Unique name (checkpoint key).</param>
/// <param name="Tensor">Leaf tensor with requires_grad; restored in place on checkpoint load.</param>
/// <param name="LearningRate">Adam learning rate.</param>
public sealed record ExtraParameter(string Name, Tensor Tensor, double LearningRate);

/// <summary>
/// Extension points of <see cref="GaussianTrainer"/>:
/// <list type="bullet">
/// <item><see cref="ColorTransform"/>: per-Gaussian colours for the step. It receives the base RGB [N, 3] (SH evaluated
/// toward the view's camera, +0.5, clamped at 0, differentiable) and returns the colours to render [N, 3] — e.g. base plus an
/// MLP offset from a per-view embedding (COIN).</item>
/// <item><see cref="ExtraLoss"/>: an additional scalar loss term (e.g. a perceptual loss) from the render and the target.</item>
/// <item><see cref="ExtraParameters"/>: tensors the hooks train; the trainer's Adam steps them and checkpoints save/restore them.</item>
/// </list>
/// </summary>
public sealed class TrainingHooks
{
    /// <summary>Optional colour transform (see class remarks).</summary>
    public Func<TrainingStepContext, Tensor, Tensor>? ColorTransform { get; init; }

    /// <summary>
    /// Optional colours [N, 3] of a companion image rendered in the same rasterizer pass as the training image (same
    /// Gaussians, projection, depth order and blending weights, same background; only the colours differ), from the base
    /// RGB [N, 3]; null from the function = no companion this step. <see cref="ExtraLoss"/> finds the image in
    /// <see cref="TrainingStepContext.Companion"/>. COIN renders its consistent image I_C this way: one pass instead of two.
    /// The screen-space gradient the densification statistics collect then includes the companion's losses.
    /// </summary>
    public Func<TrainingStepContext, Tensor, Tensor?>? CompanionColors { get; init; }

    /// <summary>Optional extra loss: (context, render, target image [H, W, 3]) to a scalar tensor, or null to skip.</summary>
    public Func<TrainingStepContext, RenderOutput, Tensor, Tensor?>? ExtraLoss { get; init; }

    /// <summary>Extra trainable tensors.</summary>
    public IReadOnlyList<ExtraParameter> ExtraParameters { get; init; } = Array.Empty<ExtraParameter>();
}
