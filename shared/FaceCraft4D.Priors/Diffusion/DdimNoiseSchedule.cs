using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// The betas and ᾱ of a <see cref="DdimSchedulerConfig"/>, computed as diffusers' <c>DDIMScheduler.__init__</c> does:
/// float32 tensors throughout (linspace in float32, squared for scaled_linear; the cosine schedule in float64 Python
/// math then rounded), optional zero-terminal-SNR rescale in float32, α = 1 − β and ᾱ = cumprod(α) with libtorch's
/// CPU cumprod. Matching this bit for bit matters: ᾱ_t computed in float64 differs from diffusers' by up to ~1e-6
/// relative, which shows in a DDIM step at high t.
/// </summary>
public static class DdimNoiseSchedule
{
    /// <returns>β [numTrainTimesteps] float32 on the CPU.</returns>
    public static Tensor Betas(DdimSchedulerConfig config)
    {
        using var scope = NewDisposeScope();
        int n = config.NumTrainTimesteps;
        Tensor betas;
        if (config.TrainedBetas is { } trained)
            betas = tensor(trained.Select(b => (float)b).ToArray(), ScalarType.Float32);
        else
            betas = config.BetaSchedule switch
            {
                "linear" => linspace(config.BetaStart, config.BetaEnd, n, ScalarType.Float32),
                "scaled_linear" => linspace(Math.Sqrt(config.BetaStart), Math.Sqrt(config.BetaEnd), n, ScalarType.Float32).Power(2),
                "squaredcos_cap_v2" => tensor(CosineBetas(n).Select(b => (float)b).ToArray(), ScalarType.Float32),
                _ => throw new NotSupportedException($"beta_schedule='{config.BetaSchedule}' is not supported (linear, scaled_linear, squaredcos_cap_v2)."),
            };
        if (config.RescaleBetasZeroSnr) betas = RescaleZeroTerminalSnr(betas);
        return betas.MoveToOuterDisposeScope();
    }

    /// <returns>ᾱ [numTrainTimesteps] as float32 values.</returns>
    public static float[] AlphasCumprod(DdimSchedulerConfig config)
    {
        using var scope = NewDisposeScope();
        var alphas = Betas(config).SubtractedFrom(1.0);
        return alphas.cumprod(0).data<float>().ToArray();
    }

    /// <summary>diffusers <c>betas_for_alpha_bar</c> (cosine, max β 0.999), in float64.</summary>
    private static double[] CosineBetas(int n)
    {
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        var betas = new double[n];
        for (int i = 0; i < n; i++)
        {
            double t1 = (double)i / n, t2 = (double)(i + 1) / n;
            betas[i] = Math.Min(1 - AlphaBar(t2) / AlphaBar(t1), 0.999);
        }
        return betas;
    }

    /// <summary>diffusers <c>rescale_zero_terminal_snr</c> on float32 betas.</summary>
    private static Tensor RescaleZeroTerminalSnr(Tensor betas)
    {
        var alphasBarSqrt = betas.SubtractedFrom(1.0).cumprod(0).sqrt();
        var first = alphasBarSqrt[0].clone();
        var last = alphasBarSqrt[-1].clone();
        alphasBarSqrt = alphasBarSqrt - last;
        alphasBarSqrt = alphasBarSqrt * (first / (first - last));
        var alphasBar = alphasBarSqrt.Power(2);
        var alphas = torch.cat([alphasBar[0..1], alphasBar[1..] / alphasBar[..^1]]);
        return alphas.SubtractedFrom(1.0);
    }
}
