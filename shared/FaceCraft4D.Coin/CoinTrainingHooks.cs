using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Graphics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin;

/// <summary>
/// Plugs COIN into <see cref="GaussianTrainer"/> through <see cref="TrainingHooks"/>:
/// <list type="bullet">
/// <item><c>ColorTransform</c>: c* = c + MLP(e_view, c, e_g) with e_view = the row <see cref="TrainingView.Index"/>; the trainer renders
/// I_IC with c* and applies its photometric loss <c>(1 - w) L1 + w (1 - SSIM)</c> (set <see cref="TrainingOptions.LambdaDssim"/> to
/// <see cref="CoinOptions.DssimWeight"/>: the paper's 0.8 / 0.2);</item>
/// <item><c>ExtraLoss</c>: renders the consistent image I_C (same Gaussians, colours c, same background) and adds
/// <c>PerceptualWeight P(I_C, I*) + OffsetL1Weight mean|c_offset|</c> (mean over all Gaussians and channels);</item>
/// <item><c>ExtraParameters</c>: the embeddings and MLP weights (stepped by the trainer's Adam and saved in its checkpoints).</item>
/// </list>
/// Requires a fixed background (<see cref="TrainingOptions.RandomBackground"/> false) because I_C is composited over the
/// same colour as I_IC. One instance serves one trainer (it carries the offsets from the colour hook to the loss hook).
/// </summary>
public sealed class CoinTrainingHooks
{
    private readonly CoinAppearance appearance;
    private readonly IPerceptualLoss perceptual;
    private readonly CoinOptions options;
    private readonly GaussianRasterizer rasterizer;
    private readonly double[] background;
    private Tensor? lastOffsets;
    private Tensor? lastBase;
    private readonly int warmup;

    /// <summary>Creates the hooks.</summary>
    /// <param name="appearance">The embeddings and MLP being trained.</param>
    /// <param name="perceptual">The perceptual loss on I_C.</param>
    /// <param name="options">Loss weights and learning rates.</param>
    /// <param name="training">The trainer's options (background; must not use random backgrounds).</param>
    /// <param name="rasterizer">Rasterizer for I_C (use the trainer's settings).</param>
    public CoinTrainingHooks(CoinAppearance appearance, IPerceptualLoss perceptual, CoinOptions options, TrainingOptions training, GaussianRasterizer? rasterizer = null)
    {
        this.appearance = appearance ?? throw new ArgumentNullException(nameof(appearance));
        this.perceptual = perceptual ?? throw new ArgumentNullException(nameof(perceptual));
        this.options = (options ?? throw new ArgumentNullException(nameof(options))).Validated();
        ArgumentNullException.ThrowIfNull(training);
        if (training.RandomBackground) throw new ArgumentException("COIN renders I_C over the trainer's background: random backgrounds are not supported.", nameof(training));
        background = training.Background.ToArray();
        warmup = (int)Math.Round(options.WarmupFraction * training.Iterations);
        this.rasterizer = rasterizer ?? new GaussianRasterizer();
        Hooks = new TrainingHooks
        {
            ColorTransform = Transform,
            ExtraLoss = Loss,
            ExtraParameters = appearance.ExtraParameters(options),
        };
    }

    /// <summary>The hooks to give the trainer.</summary>
    public TrainingHooks Hooks { get; }

    /// <summary>The COIN figures of the last step (null before the first).</summary>
    public CoinStepFigures? Last { get; private set; }

    private Tensor Transform(TrainingStepContext context, Tensor baseRgb)
    {
        if (context.Iteration <= warmup)
        {
            lastOffsets = null;
            lastBase = null;
            return baseRgb;
        }
        // Runs inside the trainer's per-step dispose scope: these tensors live until the step ends.
        var positions = CanonicalPositions.Of(context.Model);
        var pe = appearance.Encoding.Encode(positions);
        var offsets = appearance.Offsets(context.View.Index, baseRgb, pe);
        lastOffsets = offsets;
        lastBase = baseRgb;
        return baseRgb + offsets;
    }

    private Tensor? Loss(TrainingStepContext context, RenderOutput render, Tensor target)
    {
        var timer = context.Timer;
        if (lastOffsets is null)
        {
            // Warm-up: I_IC is I_C; only the perceptual term is added.
            Tensor pw;
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Perceptual))
                pw = perceptual.Loss(render.Image, target, context.View.Mask);
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Readback))
                Last = new CoinStepFigures(pw.item<float>(), 0, ImageLosses.Psnr(render.Image, target));
            return options.PerceptualWeight * pw;
        }
        var offsets = lastOffsets;
        var baseRgb = lastBase!;
        lastOffsets = null;
        lastBase = null;

        var view = context.View;
        SplatGaussians splat;
        using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Model))
            splat = context.Model.Evaluate(view.Frame).WithColors(baseRgb);
        RenderOutput consistent;
        using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Render))
        {
            var bg = torch.tensor(background, baseRgb.dtype, baseRgb.device);
            consistent = rasterizer.Render(splat, view.Camera, bg);
        }
        Tensor p;
        using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Perceptual))
            p = perceptual.Loss(consistent.Image, target, view.Mask);
        Tensor offsetL1;
        using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Losses))
            offsetL1 = offsets.abs().mean();
        using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Readback))
            Last = new CoinStepFigures(p.item<float>(), offsetL1.item<float>(), ImageLosses.Psnr(consistent.Image, target));
        return options.PerceptualWeight * p + options.OffsetL1Weight * offsetL1;
    }
}
