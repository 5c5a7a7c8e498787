using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// DDIM with its exact mirror for inversion. ᾱ comes from <see cref="DdimNoiseSchedule"/> (float32, as diffusers);
/// level −1 means the final ᾱ (1 with set_alpha_to_one, else ᾱ_0). A transfer between levels a → b predicts
/// (x̂₀, ε̂) from the model output at level a (ε-, v- or x₀-parameterised) and returns √b·x̂₀ + √(1−b)·ε̂: downward it
/// is a deterministic DDIM sampling step, upward an inversion step. The coefficients √ᾱ and √(1−ᾱ) are evaluated in
/// float32 like diffusers' 0-dim float32 tensors, so a float32 step reproduces diffusers' arithmetic.
/// </summary>
public sealed class DdimScheduler
{
    private readonly float[] _alphasCumprod;
    private readonly float _finalAlphaCumprod;

    public DdimScheduler(DdimSchedulerConfig config)
    {
        Config = config;
        _alphasCumprod = DdimNoiseSchedule.AlphasCumprod(config);
        _finalAlphaCumprod = config.SetAlphaToOne ? 1f : _alphasCumprod[0];
    }

    public DdimSchedulerConfig Config { get; }

    /// <summary>ᾱ_t for t = 0..T−1 (float32 values, widened).</summary>
    public IReadOnlyList<double> AlphasCumprod => _alphasCumprod.Select(a => (double)a).ToArray();

    public double FinalAlphaCumprod => _finalAlphaCumprod;

    /// <summary>ᾱ [T] float32, as diffusers' <c>scheduler.alphas_cumprod</c>.</summary>
    public Tensor AlphasCumprodTensor() => torch.tensor(_alphasCumprod, ScalarType.Float32);

    /// <summary>ᾱ at a train timestep, or the final ᾱ for t &lt; 0.</summary>
    public double AlphaCumprodAt(int t) => Alpha(t);

    /// <summary>(√ᾱ_t, √(1 − ᾱ_t)) as diffusers computes them (float32), for t ≥ 0 or the final level (t &lt; 0).</summary>
    public (double SqrtAlpha, double SqrtOneMinusAlpha) Coefficients(int t)
    {
        float a = Alpha(t);
        return (MathF.Sqrt(a), MathF.Sqrt(1f - a));
    }

    private float Alpha(int t)
    {
        if (t >= _alphasCumprod.Length) throw new ArgumentOutOfRangeException(nameof(t), $"timestep {t} is beyond the {_alphasCumprod.Length} train timesteps.");
        return t >= 0 ? _alphasCumprod[t] : _finalAlphaCumprod;
    }

    /// <summary>The full schedule for <paramref name="steps"/> inference steps, descending (diffusers <c>set_timesteps</c>, numpy arithmetic included).</summary>
    public int[] Timesteps(int steps)
    {
        int n = Config.NumTrainTimesteps;
        if (steps < 1 || steps > n) throw new ArgumentOutOfRangeException(nameof(steps), $"steps must be in 1..{n}.");
        switch (Config.TimestepSpacing)
        {
            case "leading":
            {
                int ratio = n / steps;
                return Enumerable.Range(0, steps).Select(i => i * ratio + Config.StepsOffset).Reverse().ToArray();
            }
            case "trailing":
            {
                // np.round(np.arange(n, 0, -n/steps)) - 1: numpy's float arange has ceil((stop-start)/step) entries,
                // start + i*delta with delta = (start + step) - start, rounded half to even.
                double step = -(double)n / steps;
                long count = (long)Math.Ceiling((0 - (double)n) / step);
                double delta = (n + step) - n;
                return Enumerable.Range(0, (int)count).Select(i => (int)Math.Round(n + i * delta, MidpointRounding.ToEven) - 1).ToArray();
            }
            case "linspace":
            {
                // np.linspace(0, n-1, steps).round()[::-1]: i*step, the last entry exactly n-1.
                double step = steps > 1 ? (n - 1.0) / (steps - 1) : 0;
                var values = Enumerable.Range(0, steps).Select(i => i == steps - 1 && steps > 1 ? n - 1.0 : i * step);
                return values.Select(v => (int)Math.Round(v, MidpointRounding.ToEven)).Reverse().ToArray();
            }
            default:
                throw new NotSupportedException($"timestep_spacing='{Config.TimestepSpacing}' is not supported (leading, trailing, linspace).");
        }
    }

    /// <summary>
    /// Steps kept for an img2img-style run (diffusers: init = min(⌊T·strength⌋, T), start = T − init). Strength 0 keeps
    /// no step (the plan is empty and inversion/sampling return their input).
    /// </summary>
    public DdimPlan Plan(int steps, double strength)
    {
        if (strength is < 0 or > 1 || double.IsNaN(strength)) throw new ArgumentOutOfRangeException(nameof(strength), "strength must be in [0, 1].");
        var all = Timesteps(steps);
        int init = Math.Min((int)(steps * strength), steps);
        return new DdimPlan(all[Math.Max(steps - init, 0)..], steps);
    }

    /// <summary>(x̂₀, ε̂) from a model output at ᾱ = <paramref name="alpha"/> (clipped or thresholded per the config).</summary>
    public (Tensor Original, Tensor Epsilon) PredictOriginalAndEpsilon(Tensor modelOutput, Tensor sample, double alpha)
    {
        using var scope = NewDisposeScope();
        float a = (float)alpha;
        double sa = MathF.Sqrt(a), sb = MathF.Sqrt(1f - a);
        Tensor x0, eps;
        switch (Config.PredictionType)
        {
            case "epsilon":
                x0 = (sample - modelOutput.Times(sb)).DividedBy(sa);
                eps = modelOutput.alias();
                break;
            case "sample":
                x0 = modelOutput.alias();
                eps = (sample - x0.Times(sa)).DividedBy(sb);
                break;
            case "v_prediction":
                x0 = sample.Times(sa) - modelOutput.Times(sb);
                eps = modelOutput.Times(sa).Plus(sample.Times(sb));
                break;
            default:
                throw new NotSupportedException($"prediction_type='{Config.PredictionType}' is not supported (epsilon, v_prediction, sample).");
        }
        if (Config.Thresholding) x0 = ThresholdSample(x0);
        else if (Config.ClipSample) x0 = x0.Clamped(-Config.ClipSampleRange, Config.ClipSampleRange);
        return (x0.MoveToOuterDisposeScope(), eps.MoveToOuterDisposeScope());
    }

    /// <summary>Moves <paramref name="sample"/> from level <paramref name="fromTimestep"/> to <paramref name="toTimestep"/> (−1 = final), η = 0.</summary>
    /// <param name="modelOutput">[B, C, h, w] model prediction for the sample.</param>
    /// <param name="sample">[B, C, h, w]</param>
    public Tensor Transfer(Tensor modelOutput, Tensor sample, int fromTimestep, int toTimestep)
    {
        using var scope = NewDisposeScope();
        var (x0, eps) = PredictOriginalAndEpsilon(modelOutput, sample, Alpha(fromTimestep));
        var (sa, sb) = Coefficients(toTimestep);
        return x0.Times(sa).Plus(eps.Times(sb)).MoveToOuterDisposeScope();
    }

    /// <summary>DDIM sampling step x_t → x_prev (η = 0) to an explicit previous level.</summary>
    public Tensor Step(Tensor modelOutput, int timestep, int prevTimestep, Tensor sample) => Transfer(modelOutput, sample, timestep, prevTimestep);

    /// <summary>
    /// diffusers <c>DDIMScheduler.step</c> after <c>set_timesteps(inferenceSteps)</c>: the previous timestep is
    /// t − T // inferenceSteps (below 0: the final ᾱ); σ_t = η·√((1−ᾱ_prev)/(1−ᾱ_t)·(1−ᾱ_t/ᾱ_prev));
    /// x_prev = √ᾱ_prev·x̂₀ + √(1−ᾱ_prev−σ_t²)·ε̂ (+ σ_t·noise when η &gt; 0).
    /// </summary>
    /// <param name="modelOutput">[B, C, h, w]</param>
    /// <param name="sample">[B, C, h, w]</param>
    /// <param name="varianceNoise">[B, C, h, w] standard normal noise; required when η &gt; 0.</param>
    /// <param name="useClippedModelOutput">Recompute ε̂ from the clipped x̂₀.</param>
    public DdimStepResult Step(Tensor modelOutput, int timestep, Tensor sample, int inferenceSteps, double eta = 0.0,
        Tensor? varianceNoise = null, bool useClippedModelOutput = false)
    {
        if (inferenceSteps < 1 || inferenceSteps > Config.NumTrainTimesteps)
            throw new ArgumentOutOfRangeException(nameof(inferenceSteps), $"inference steps must be in 1..{Config.NumTrainTimesteps}.");
        using var scope = NewDisposeScope();
        int prev = timestep - Config.NumTrainTimesteps / inferenceSteps;
        float alphaT = Alpha(timestep), alphaPrev = Alpha(prev);
        var (x0, eps) = PredictOriginalAndEpsilon(modelOutput, sample, alphaT);
        float betaT = 1f - alphaT, betaPrev = 1f - alphaPrev;
        float variance = betaPrev / betaT * (1f - alphaT / alphaPrev);
        float std = (float)eta * MathF.Sqrt(variance);
        if (useClippedModelOutput) eps = (sample - x0.Times((double)MathF.Sqrt(alphaT))).DividedBy((double)MathF.Sqrt(betaT));
        var direction = eps.Times((double)MathF.Sqrt(1f - alphaPrev - std * std));
        var prevSample = x0.Times((double)MathF.Sqrt(alphaPrev)).Plus(direction);
        if (eta > 0)
        {
            if (varianceNoise is null) throw new ArgumentNullException(nameof(varianceNoise), "η > 0 needs the variance noise.");
            prevSample = prevSample.Plus(varianceNoise.Times((double)std));
        }
        return new DdimStepResult(prevSample.MoveToOuterDisposeScope(), x0.MoveToOuterDisposeScope());
    }

    /// <summary>Forward process q(x_t | x_0): √ᾱ_t·x₀ + √(1−ᾱ_t)·noise (float32 coefficients, see <see cref="Coefficients"/>).</summary>
    public Tensor AddNoise(Tensor original, Tensor noise, int timestep)
    {
        var (sa, sb) = Coefficients(timestep);
        using var scaled = original.Times(sa);
        using var scaledNoise = noise.Times(sb);
        return scaled.Plus(scaledNoise);
    }

    /// <summary>diffusers <c>_threshold_sample</c>: per sample, s = clamp(quantile(|x̂₀|, ratio), 1, sample_max_value); x̂₀ ← clamp(x̂₀, −s, s)/s.</summary>
    private Tensor ThresholdSample(Tensor x0)
    {
        using var scope = NewDisposeScope();
        var dtype = x0.dtype;
        var shape = x0.shape;
        var flat = (dtype is ScalarType.Float32 or ScalarType.Float64 ? x0 : x0.to(ScalarType.Float32)).reshape(shape[0], -1);
        var q = torch.tensor(Config.DynamicThresholdingRatio, flat.dtype);
        var s = torch.quantile(flat.abs(), q, dim: 1).Clamped(1.0, Config.SampleMaxValue).unsqueeze(1);
        var result = (torch.minimum(torch.maximum(flat, -s), s) / s).reshape(shape).to(dtype);
        return result.MoveToOuterDisposeScope();
    }
}
