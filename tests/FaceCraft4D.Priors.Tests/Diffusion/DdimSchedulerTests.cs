using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Diffusion;

public class DdimSchedulerTests(ITestOutputHelper output)
{
    private static readonly DdimScheduler Sd = new(DdimSchedulerConfig.Parse(File.ReadAllText(KeyFixture.PathOf("sd15_scheduler_config.json"))));

    [Fact]
    public void LeadingSchedule_For25Steps_IsDiffusersOne()
    {
        var ts = Sd.Timesteps(25);
        Assert.Equal(25, ts.Length);
        Assert.Equal(961, ts[0]);
        Assert.Equal(1, ts[^1]);
        Assert.All(ts.Zip(ts.Skip(1)), p => Assert.Equal(40, p.First - p.Second));
    }

    [Fact]
    public void Strength04_Of25Steps_KeepsTheLast10Steps()
    {
        var plan = Sd.Plan(25, 0.4);
        Assert.Equal(10, plan.Count);
        Assert.Equal(new[] { 361, 321, 281, 241, 201, 161, 121, 81, 41, 1 }, plan.Timesteps);
        Assert.Equal(-1, plan.NextTimestep(9));
        Assert.Equal(321, plan.NextTimestep(0));
    }

    [Fact]
    public void ScaledLinearAlphas_AreFloat32_WithinFloat32RoundingOfTheClosedForm()
    {
        Assert.Equal(1 - 0.00085, Sd.AlphasCumprod[0], 7);
        Assert.Equal(Sd.AlphasCumprod[0], Sd.FinalAlphaCumprod);
        double prod = 1;
        for (int i = 0; i < 1000; i++)
        {
            double sqrtBeta = Math.Sqrt(0.00085) + (Math.Sqrt(0.012) - Math.Sqrt(0.00085)) * i / 999.0;
            prod *= 1 - sqrtBeta * sqrtBeta;
            // diffusers keeps betas and alphas_cumprod in float32: every value is a float, and the float32
            // schedule drifts from the float64 product by about 1e-6 relative at most.
            double a = Sd.AlphasCumprod[i];
            Assert.Equal(a, (double)(float)a);
            Assert.True(Math.Abs(a - prod) <= 2e-6 * prod, $"t={i}: {a} vs closed form {prod}");
        }
        Assert.InRange(Sd.AlphasCumprod[999], 0.004, 0.0055);
        Assert.True(Sd.AlphasCumprod.Zip(Sd.AlphasCumprod.Skip(1)).All(p => p.Second < p.First));
    }

    [Fact]
    public void ParsedConfig_FillsMissingKeysWithDdimSchedulerInitDefaults()
    {
        var c = DdimSchedulerConfig.Parse("{}");
        Assert.Equal(("linear", 0.0001, 0.02, 1000), (c.BetaSchedule, c.BetaStart, c.BetaEnd, c.NumTrainTimesteps));
        Assert.True(c.ClipSample);
        Assert.True(c.SetAlphaToOne);
        Assert.Equal(0, c.StepsOffset);
        Assert.Equal(("epsilon", "leading"), (c.PredictionType, c.TimestepSpacing));
        var ex = Assert.Throws<NotSupportedException>(() => DdimSchedulerConfig.Parse("""{"beta_schedule": "sigmoid"}"""));
        Assert.Contains("beta_schedule", ex.Message);
    }

    /// <summary>
    /// The last step of SD's 25-step schedule: t = 1, prev = 1 − 1000//25 = −39 &lt; 0, so diffusers uses the final
    /// ᾱ, which with set_alpha_to_one = False is ᾱ_0 = 1 − β_0 (not 1). The expectation is computed here from the DDIM
    /// formula with float64 betas, independently of the scheduler's tables.
    /// </summary>
    [Fact]
    public void LastStep_AtT1_StepsToAlphasCumprod0_BecauseSetAlphaToOneIsFalse()
    {
        double Beta(int i) => Math.Pow(Math.Sqrt(0.00085) + (Math.Sqrt(0.012) - Math.Sqrt(0.00085)) * i / 999.0, 2);
        double alpha1 = (1 - Beta(0)) * (1 - Beta(1));
        double alphaFinal = 1 - Beta(0);
        using var g = new Generator(11, CPU);
        using var sample = torch.randn([1, 4, 8, 8], ScalarType.Float64, generator: g);
        using var eps = torch.randn([1, 4, 8, 8], ScalarType.Float64, generator: g);
        using var x0 = (sample - eps.Times(Math.Sqrt(1 - alpha1))).DividedBy(Math.Sqrt(alpha1));
        using var expected = x0.Times(Math.Sqrt(alphaFinal)).Plus(eps.Times(Math.Sqrt(1 - alphaFinal)));

        Assert.Equal(1, Sd.Timesteps(25)[^1]);
        using var step = Sd.Step(eps, 1, sample, 25);
        // float32 ᾱ (as diffusers) against the float64 formula: ~1e-7 relative on the coefficients.
        TensorAssert.Close(x0, step.PredOriginalSample, 1e-5);
        TensorAssert.Close(expected, step.PrevSample, 1e-5);

        // With set_alpha_to_one the last step would land on x̂₀ itself; the two must be told apart.
        var toOne = new DdimScheduler(Sd.Config with { SetAlphaToOne = true });
        using var stepToOne = toOne.Step(eps, 1, sample, 25);
        TensorAssert.Close(x0, stepToOne.PrevSample, 1e-5);
        Assert.True(TensorAssert.MaxAbsDiff(step.PrevSample, stepToOne.PrevSample) > 1e-3);
    }

    [Fact]
    public void TrailingAndLinspaceSpacings_MatchDiffusers()
    {
        var trailing = new DdimScheduler(DdimSchedulerConfig.StableDiffusion() with { TimestepSpacing = "trailing" }).Timesteps(25);
        Assert.Equal(999, trailing[0]);
        Assert.Equal(39, trailing[^1]);
        var linspace = new DdimScheduler(DdimSchedulerConfig.StableDiffusion() with { TimestepSpacing = "linspace" }).Timesteps(4);
        Assert.Equal(new[] { 999, 666, 333, 0 }, linspace);
    }

    [Theory]
    [InlineData("epsilon")]
    [InlineData("v_prediction")]
    public void WithAnOracleModel_DdimSamplingLandsExactlyOnTheCleanLatent(string prediction)
    {
        var scheduler = new DdimScheduler(DdimSchedulerConfig.StableDiffusion() with { PredictionType = prediction });
        var plan = scheduler.Plan(25, 0.4);
        using var g = new Generator(2, CPU);
        using var x0 = torch.randn([2, 4, 8, 8], ScalarType.Float64, generator: g);
        using var eps = torch.randn([2, 4, 8, 8], ScalarType.Float64, generator: g);
        Tensor Level(int t) => scheduler.AddNoise(x0, eps, t);
        Tensor Oracle(Tensor x, int t)
        {
            var (sa, sb) = scheduler.Coefficients(t);
            return prediction == "epsilon" ? eps.clone() : eps.Times(sa) - x0.Times(sb);
        }
        using var start = Level(plan.Timesteps[0]);
        using var end = DdimSampler.Sample(scheduler, plan, start, Oracle);
        using var expected = Level(-1);
        // ε: exact to float64 rounding. v: x̂₀ = √ᾱ·x − √(1−ᾱ)·v recovers (ᾱ' + (1−ᾱ)')·x₀, and with diffusers' float32
        // coefficients √ᾱ² + √(1−ᾱ)² = 1 only to float32 precision (~1e-7 per step).
        TensorAssert.Close(expected, end, prediction == "epsilon" ? 1e-10 : 2e-6);
    }

    [Fact]
    public void WithAnOracleModel_DdimInversionLandsExactlyOnTheNoisedLatent()
    {
        var plan = Sd.Plan(25, 0.4);
        using var g = new Generator(3, CPU);
        using var x0 = torch.randn([1, 4, 8, 8], ScalarType.Float64, generator: g);
        using var eps = torch.randn([1, 4, 8, 8], ScalarType.Float64, generator: g);
        using var clean = Sd.AddNoise(x0, eps, -1);
        var trajectory = DdimSampler.Invert(Sd, plan, clean, (_, _) => eps.clone());
        for (int k = 0; k <= plan.Count; k++)
        {
            using var expected = Sd.AddNoise(x0, eps, plan.LevelTimestep(k));
            TensorAssert.Close(expected, trajectory[k], 1e-10);
        }
    }

    /// <summary>
    /// Strength 0 keeps no step of the schedule: inversion stops at the input and sampling has nothing to undo, so
    /// invert-then-sample returns the input latent exactly (bit for bit), whatever the model.
    /// </summary>
    [Fact]
    public void StrengthZero_InvertThenSample_ReturnsTheInputExactly()
    {
        var plan = Sd.Plan(25, 0.0);
        Assert.Equal(0, plan.Count);
        using var unet = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 5);
        using var conditioning = TinyModels.Conditioning(6);
        using var g = new Generator(12, CPU);
        using var latent = torch.randn([2, 4, 8, 8], generator: g);
        using var _ = torch.inference_mode();
        using var context = conditioning.PromptEmbeds.expand(2, -1, -1);
        int calls = 0;
        Tensor Model(Tensor x, int t) { calls++; return unet.Forward(x, HeldScalarOps.Hold(t.ToScalar(), held => torch.full([x.shape[0]], held, ScalarType.Float32)), context); }
        var trajectory = DdimSampler.Invert(Sd, plan, latent, Model);
        using var reconstructed = DdimSampler.Sample(Sd, plan, trajectory[0], Model);
        foreach (var t in trajectory) t.Dispose();
        TensorAssert.Identical(latent, reconstructed);
        Assert.Equal(0, calls);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sd.Plan(25, -0.1));
    }

    /// <summary>
    /// The smallest strength that runs a step, 1/T (T = 25: the single step t = 1 ↔ final ᾱ = ᾱ_0): inversion and
    /// sampling evaluate the model at t = 1 on latents that differ by the inversion step itself (√(1−ᾱ_1) − √(1−ᾱ_0)
    /// ≈ 0.012 times ε̂: measured max 2.4e-2), so the round trip is off only by that step size times the change of ε̂
    /// (measured max 2.6e-4 with the tiny UNet, about 1 % of the step).
    /// </summary>
    [Fact]
    public void SmallestStrength_OneStep_InvertThenSample_ReturnsTheInputClosely()
    {
        var plan = Sd.Plan(25, 1.0 / 25);
        Assert.Equal(new[] { 1 }, plan.Timesteps);
        using var unet = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 5);
        using var conditioning = TinyModels.Conditioning(6);
        using var g = new Generator(13, CPU);
        using var latent = torch.randn([2, 4, 8, 8], generator: g);
        using var _ = torch.inference_mode();
        using var context = conditioning.PromptEmbeds.expand(2, -1, -1);
        Tensor Model(Tensor x, int t) => unet.Forward(x, HeldScalarOps.Hold(t.ToScalar(), held => torch.full([x.shape[0]], held, ScalarType.Float32)), context);
        var trajectory = DdimSampler.Invert(Sd, plan, latent, Model);
        using var reconstructed = DdimSampler.Sample(Sd, plan, trajectory[0], Model);
        double moved = TensorAssert.MaxAbsDiff(latent, trajectory[0]);
        double error = TensorAssert.MaxAbsDiff(latent, reconstructed);
        foreach (var t in trajectory) t.Dispose();
        output.WriteLine($"one-step inversion moved the latent by {moved:E2}; round-trip error {error:E2}");
        Assert.True(moved > 1e-3, "the inversion step must actually move the latent");
        Assert.True(error < 1e-3, $"round-trip error {error:E2}");
        Assert.True(error < moved / 20, "sampling must undo the inversion step");
    }

    /// <summary>
    /// DDIM inversion to step 10 of 25 (strength 0.4) followed by DDIM sampling with the same tiny random-weight UNet.
    /// Measured: rms error 3.8e-2 for a unit-variance latent (max 0.14) at T = 25, halving with every doubling of T
    /// (first-order, 1.1e-2 at T = 100), against 1.13 when sampling starts from fresh forward noise instead.
    /// </summary>
    [Fact]
    public void TinyUnet_InversionThenSampling_ReconstructsTheInputLatent_WithFirstOrderConvergence()
    {
        using var unet = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 5);
        using var conditioning = TinyModels.Conditioning(6);
        using var g = new Generator(4, CPU);
        using var latent = torch.randn([2, 4, 8, 8], generator: g);
        using var _ = torch.inference_mode();
        using var context = conditioning.PromptEmbeds.expand(2, -1, -1);
        Tensor Model(Tensor x, int t) => unet.Forward(x, HeldScalarOps.Hold(t.ToScalar(), held => torch.full([x.shape[0]], held, ScalarType.Float32)), context);
        double Rms(Tensor a, Tensor b) => Math.Sqrt((a - b).Power(2).mean().item<float>());

        (double Rms, double Max) Reconstruct(int steps)
        {
            var plan = Sd.Plan(steps, 0.4);
            var trajectory = DdimSampler.Invert(Sd, plan, latent, Model);
            using var reconstructed = DdimSampler.Sample(Sd, plan, trajectory[0], Model);
            foreach (var t in trajectory) t.Dispose();
            return (Rms(latent, reconstructed), TensorAssert.MaxAbsDiff(latent, reconstructed));
        }

        var t25 = Reconstruct(25);
        var t100 = Reconstruct(100);
        var plan25 = Sd.Plan(25, 0.4);
        using var noise = torch.randn([2, 4, 8, 8], generator: g);
        using var noised = Sd.AddNoise(latent, noise, plan25.Timesteps[0]);
        using var baseline = DdimSampler.Sample(Sd, plan25, noised, Model);
        double baselineRms = Rms(latent, baseline);
        double signalRms = Math.Sqrt(latent.Power(2).mean().item<float>());
        output.WriteLine($"T=25: rms {t25.Rms:E3}, max {t25.Max:E3}; T=100: rms {t100.Rms:E3}, max {t100.Max:E3}; signal rms {signalRms:F3}; forward-noise baseline rms {baselineRms:E3}");

        Assert.True(t25.Rms < 0.05 * signalRms, $"T=25 rms error {t25.Rms:E3}");
        Assert.True(t25.Max < 0.2, $"T=25 max error {t25.Max:E3}");
        Assert.True(t100.Rms < t25.Rms / 3, "the inversion error must shrink ~linearly with the step size");
        Assert.True(t25.Rms < baselineRms / 20, "inversion must reconstruct far better than fresh forward noise");
    }
}
