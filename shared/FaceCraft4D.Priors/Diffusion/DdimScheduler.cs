using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Deterministic DDIM (η = 0) with its exact mirror for inversion. ᾱ_t = ∏(1 − β), β from the configured
/// (scaled_)linear schedule; level −1 means the final ᾱ (1 with set_alpha_to_one, else ᾱ_0). A transfer between
/// levels a → b predicts (x̂₀, ε̂) from the model output at level a (ε- or v-parameterised) and returns
/// √b·x̂₀ + √(1−b)·ε̂: downward it is a DDIM sampling step, upward an inversion step.
/// </summary>
public sealed class DdimScheduler
{
    private readonly double[] _alphasCumprod;

    public DdimScheduler(DdimSchedulerConfig config)
    {
        Config = config;
        int n = config.NumTrainTimesteps;
        var betas = new double[n];
        for (int i = 0; i < n; i++)
        {
            double f = n == 1 ? 0 : (double)i / (n - 1);
            betas[i] = config.BetaSchedule == "scaled_linear"
                ? Math.Pow(Math.Sqrt(config.BetaStart) + f * (Math.Sqrt(config.BetaEnd) - Math.Sqrt(config.BetaStart)), 2)
                : config.BetaStart + f * (config.BetaEnd - config.BetaStart);
        }
        _alphasCumprod = new double[n];
        double prod = 1.0;
        for (int i = 0; i < n; i++)
        {
            prod *= 1.0 - betas[i];
            _alphasCumprod[i] = prod;
        }
        FinalAlphaCumprod = config.SetAlphaToOne ? 1.0 : _alphasCumprod[0];
    }

    public DdimSchedulerConfig Config { get; }

    public IReadOnlyList<double> AlphasCumprod => _alphasCumprod;

    public double FinalAlphaCumprod { get; }

    /// <summary>ᾱ at a train timestep, or the final ᾱ for t &lt; 0.</summary>
    public double AlphaCumprodAt(int t) => t >= 0 ? _alphasCumprod[t] : FinalAlphaCumprod;

    /// <summary>The full T-step schedule, descending (diffusers <c>set_timesteps</c>).</summary>
    public int[] Timesteps(int steps)
    {
        if (steps < 1 || steps > Config.NumTrainTimesteps) throw new ArgumentOutOfRangeException(nameof(steps));
        int n = Config.NumTrainTimesteps;
        return Config.TimestepSpacing switch
        {
            "leading" => Enumerable.Range(0, steps).Select(i => i * (n / steps) + Config.StepsOffset).Reverse().ToArray(),
            "trailing" => Enumerable.Range(0, steps).Select(i => (int)Math.Round(n - i * ((double)n / steps)) - 1).ToArray(),
            _ => Enumerable.Range(0, steps).Select(i => (int)Math.Round(steps == 1 ? 0 : i * (n - 1.0) / (steps - 1))).Reverse().ToArray(),
        };
    }

    /// <summary>Steps kept for an img2img-style run (diffusers: init = min(⌊T·strength⌋, T), start = T − init).</summary>
    public DdimPlan Plan(int steps, double strength)
    {
        if (strength is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(strength), "strength must be in (0, 1].");
        var all = Timesteps(steps);
        int init = Math.Min((int)(steps * strength), steps);
        if (init < 1) throw new ArgumentOutOfRangeException(nameof(strength), $"strength {strength} keeps no step of {steps}.");
        return new DdimPlan(all[(steps - init)..], steps);
    }

    /// <summary>(x̂₀, ε̂) from a model output at ᾱ = <paramref name="alpha"/>.</summary>
    public (Tensor Original, Tensor Epsilon) PredictOriginalAndEpsilon(Tensor modelOutput, Tensor sample, double alpha)
    {
        double sa = Math.Sqrt(alpha), sb = Math.Sqrt(1 - alpha);
        Tensor x0, eps;
        if (Config.PredictionType == "epsilon")
        {
            eps = modelOutput.alias();
            x0 = (sample - modelOutput * sb) / sa;
        }
        else
        {
            x0 = sample * sa - modelOutput * sb;
            eps = modelOutput * sa + sample * sb;
        }
        if (Config.ClipSample)
        {
            var clipped = x0.clamp(-Config.ClipSampleRange, Config.ClipSampleRange);
            x0.Dispose();
            x0 = clipped;
        }
        return (x0, eps);
    }

    /// <summary>Moves <paramref name="sample"/> from level <paramref name="fromTimestep"/> to <paramref name="toTimestep"/> (−1 = final).</summary>
    /// <param name="modelOutput">[B, C, h, w] model prediction for the sample.</param>
    /// <param name="sample">[B, C, h, w]</param>
    public Tensor Transfer(Tensor modelOutput, Tensor sample, int fromTimestep, int toTimestep)
    {
        using var scope = NewDisposeScope();
        var (x0, eps) = PredictOriginalAndEpsilon(modelOutput, sample, AlphaCumprodAt(fromTimestep));
        double b = AlphaCumprodAt(toTimestep);
        return (x0 * Math.Sqrt(b) + eps * Math.Sqrt(1 - b)).MoveToOuterDisposeScope();
    }

    /// <summary>DDIM sampling step x_t → x_prev (η = 0).</summary>
    public Tensor Step(Tensor modelOutput, int timestep, int prevTimestep, Tensor sample) => Transfer(modelOutput, sample, timestep, prevTimestep);

    /// <summary>Forward process q(x_t | x_0): √ᾱ_t·x₀ + √(1−ᾱ_t)·noise.</summary>
    public Tensor AddNoise(Tensor original, Tensor noise, int timestep)
    {
        double a = AlphaCumprodAt(timestep);
        using var scaled = original * Math.Sqrt(a);
        return scaled + noise * Math.Sqrt(1 - a);
    }
}
