using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Graphics.Training;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Coin;

/// <summary>
/// Plugs COIN into <see cref="GaussianTrainer"/> through <see cref="TrainingHooks"/>:
/// <list type="bullet">
/// <item><c>ColorTransform</c>: c* = c + MLP(e_view, c, e_g) with e_view = the row <see cref="TrainingView.Index"/>; the trainer renders
/// I_IC with c* and applies its photometric loss <c>(1 - w) L1 + w (1 - SSIM)</c> (set <see cref="TrainingOptions.LambdaDssim"/> to
/// <see cref="CoinOptions.DssimWeight"/>: the paper's 0.8 / 0.2);</item>
/// <item><c>CompanionColors</c>: the base colours c, so the trainer renders the consistent image I_C in the same rasterizer pass as
/// I_IC (same Gaussians and background; <see cref="SharedRender"/>, the default; off: I_C is a second, separate render);</item>
/// <item><c>ExtraLoss</c>: takes the consistent image I_C (same Gaussians, colours c, same background) and adds
/// <c>PerceptualWeight P(I_C, I*) + OffsetL1Weight mean|c_offset|</c> (mean over all Gaussians and channels; with
/// <see cref="CoinOptions.PerceptualEvery"/> k &gt; 1 the perceptual term, and I_C with it, only on every k-th iteration at k times the weight);</item>
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
    private readonly CanonicalPositionCache canonical = new();
    private readonly int warmup;

    /// <summary>Creates the hooks.</summary>
    /// <param name="appearance">The embeddings and MLP being trained.</param>
    /// <param name="perceptual">The perceptual loss on I_C.</param>
    /// <param name="options">Loss weights and learning rates.</param>
    /// <param name="training">The trainer's options (background; must not use random backgrounds).</param>
    /// <param name="rasterizer">Rasterizer for I_C when it is rendered separately (use the trainer's settings).</param>
    /// <param name="sharedRender">
    /// Render I_C in the trainer's pass as a companion image (one projection, binning and compositing for both images; the
    /// densification statistics then also see I_C's gradient); false = a second render as before (benchmarks compare).
    /// </param>
    public CoinTrainingHooks(CoinAppearance appearance, IPerceptualLoss perceptual, CoinOptions options, TrainingOptions training, GaussianRasterizer? rasterizer = null,
        bool sharedRender = true)
    {
        this.appearance = appearance ?? throw new ArgumentNullException(nameof(appearance));
        this.perceptual = perceptual ?? throw new ArgumentNullException(nameof(perceptual));
        this.options = (options ?? throw new ArgumentNullException(nameof(options))).Validated();
        ArgumentNullException.ThrowIfNull(training);
        if (training.RandomBackground) throw new ArgumentException("COIN renders I_C over the trainer's background: random backgrounds are not supported.", nameof(training));
        background = training.Background.ToArray();
        warmup = (int)Math.Round(options.WarmupFraction * training.Iterations);
        this.rasterizer = rasterizer ?? new GaussianRasterizer();
        SharedRender = sharedRender;
        Hooks = new TrainingHooks
        {
            ColorTransform = Transform,
            CompanionColors = sharedRender ? Companion : null,
            ExtraLoss = Loss,
            ExtraParameters = appearance.ExtraParameters(options),
        };
    }

    /// <summary>I_C is rendered in the trainer's pass (see the constructor).</summary>
    public bool SharedRender { get; }

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
        var positions = canonical.Of(context.Model);
        var pe = appearance.Encoding.Encode(positions);
        var offsets = appearance.Offsets(context.View.Index, baseRgb, pe);
        lastOffsets = offsets;
        lastBase = baseRgb;
        return baseRgb.Plus(offsets);
    }

    /// <summary>I_C's colours: the base colours, once the offsets are on (during warm-up I_IC is I_C), on the iterations that evaluate the perceptual term.</summary>
    private Tensor? Companion(TrainingStepContext context, Tensor baseRgb) => lastOffsets is null || !PerceptualStep(context.Iteration) ? null : baseRgb;

    /// <summary>
    /// Whether the perceptual term is evaluated at this (1-based) iteration: 1, 1 + k, 1 + 2k, ... for
    /// <see cref="CoinOptions.PerceptualEvery"/> k. A function of the iteration alone, so a resumed run takes the same steps.
    /// </summary>
    public bool PerceptualStep(int iteration) => (iteration - 1) % options.PerceptualEvery == 0;

    /// <summary>The perceptual term's weight on the iterations that evaluate it: the mean weight per iteration is <see cref="CoinOptions.PerceptualWeight"/>.</summary>
    private double PerceptualStepWeight => options.PerceptualWeight * options.PerceptualEvery;

    private Tensor? Loss(TrainingStepContext context, RenderOutput render, Tensor target)
    {
        var timer = context.Timer;
        bool perceptualStep = PerceptualStep(context.Iteration);
        if (lastOffsets is null && !perceptualStep)
        {
            // Warm-up, on an iteration without the perceptual term: nothing to add; the figures keep the last perceptual value
            // (none yet after a resume: the COIN figures stay out of the report until the next scored step).
            if (Last is { } previous)
                using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Readback))
                    Last = previous with { OffsetL1 = 0, ConsistentPsnr = ImageLosses.Psnr(render.Image, target) };
            return null;
        }
        if (lastOffsets is null)
        {
            // Warm-up: I_IC is I_C; only the perceptual term is added.
            Tensor pw;
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Perceptual))
                pw = perceptual.Loss(render.Image, target, context.View.Mask);
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Readback))
                Last = new CoinStepFigures(pw.item<float>(), 0, ImageLosses.Psnr(render.Image, target));
            return pw.Times(PerceptualStepWeight);
        }
        var offsets = lastOffsets;
        var baseRgb = lastBase!;
        lastOffsets = null;
        lastBase = null;

        var view = context.View;
        if (!perceptualStep)
        {
            // No perceptual term at this iteration: I_C is neither rendered nor scored; the figures keep the last I_C values
            // (none yet after a resume: the COIN figures stay out of the report until the next scored step).
            Tensor l1Only;
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Losses))
                l1Only = offsets.abs().mean();
            if (Last is { } previous)
                using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Readback))
                    Last = previous with { OffsetL1 = l1Only.item<float>() };
            return l1Only.Times(options.OffsetL1Weight);
        }
        var consistent = context.Companion;
        if (consistent is null)
        {
            SplatGaussians splat;
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Model))
                splat = (context.Splat ?? context.Model.Evaluate(view.Frame)).WithColors(baseRgb);
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Render))
            {
                var bg = torch.tensor(background, baseRgb.dtype, baseRgb.device);
                consistent = rasterizer.Render(splat, view.Camera, bg).Image;
            }
        }
        Tensor p;
        using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Perceptual))
            p = perceptual.Loss(consistent, target, view.Mask);
        Tensor offsetL1;
        using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Losses))
            offsetL1 = offsets.abs().mean();
        using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Readback))
            Last = new CoinStepFigures(p.item<float>(), offsetL1.item<float>(), ImageLosses.Psnr(consistent, target));
        return p.Times(PerceptualStepWeight).Plus(offsetL1.Times(options.OffsetL1Weight));
    }
}
