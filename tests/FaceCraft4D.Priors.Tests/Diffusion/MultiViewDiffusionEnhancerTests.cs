using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Diffusion;

public class MultiViewDiffusionEnhancerTests
{
    /// <summary>Records every step's tensors (cloned).</summary>
    private sealed class Recorder : IDenoisingObserver
    {
        public List<(int Step, int T, int Next, Tensor Denoised, Tensor Blended, Tensor? Warped)> Steps { get; } = [];

        public void OnStep(DenoisingStepRecord r)
            => Steps.Add((r.StepIndex, r.Timestep, r.NextTimestep, Keep(r.Denoised), Keep(r.Blended), r.NoisedWarped is null ? null : Keep(r.NoisedWarped)));

        private static Tensor Keep(Tensor t) => t.clone().DetachFromDisposeScope();
    }

    private static (Tensor Reference, Tensor Coarse) Images(long seed, int targets = 2)
    {
        using var g = new Generator((ulong)seed, CPU);
        return (torch.rand([1, 3, 16, 16], generator: g).Times(2).Minus(1), torch.rand([targets, 3, 16, 16], generator: g).Times(2).Minus(1));
    }

    /// <summary>Mask [N, 1, 8, 8]: columns 0-2 = 1 (copy warped), column 3 = 0.5 (soft band), columns 4-7 = 0.</summary>
    private static Tensor Mask(int n)
    {
        var m = torch.zeros([n, 1, 8, 8]);
        m[.., .., .., 0..3] = torch.tensor(1.0f);
        m[.., .., .., 3..4] = torch.tensor(0.5f);
        return m;
    }

    private static Tensor Inside(Tensor t) => t[.., .., .., 0..3];
    private static Tensor Band(Tensor t) => t[.., .., .., 3..4];
    private static Tensor Outside(Tensor t) => t[.., .., .., 4..8];

    [Fact]
    public void Enhance_ReturnsImagesOfInputSize_RecordsBackend_AndIsDeterministic()
    {
        using var enhancer = new MultiViewDiffusionEnhancer(TinyModels.DiffusionModel());
        var (reference, coarse) = Images(1);
        var options = new MultiViewEnhanceOptions();
        using var a = enhancer.Enhance(new MultiViewEnhanceRequest(reference, coarse), options);
        using var b = enhancer.Enhance(new MultiViewEnhanceRequest(reference, coarse), options);
        TensorAssert.Shape(a.Images, 2, 3, 16, 16);
        TensorAssert.Shape(a.Latents, 2, 4, 8, 8);
        Assert.Equal("diffusion:tiny/test", a.Backend);
        Assert.Equal(10, a.Timesteps.Length);
        Assert.True(a.Images.abs().max().item<float>() <= 1.0f);
        TensorAssert.Identical(a.Images, b.Images);
    }

    [Theory]
    [InlineData(WarpedLatentNoising.DdimInversion)]
    [InlineData(WarpedLatentNoising.ForwardDiffusion)]
    public void Blending_AtEveryStep_OutsideMaskKeepsDenoised_InsideCopiesNoisedWarped(WarpedLatentNoising noising)
    {
        using var enhancer = new MultiViewDiffusionEnhancer(TinyModels.DiffusionModel());
        var (reference, coarse) = Images(2);
        using var refLatent = enhancer.EncodeImages(reference);
        using var targets = enhancer.EncodeImages(coarse);
        using var warped = torch.randn([2, 4, 8, 8], generator: new Generator(9, CPU));
        using var mask = Mask(2);
        var recorder = new Recorder();
        var options = new MultiViewEnhanceOptions { WarpedNoising = noising, Seed = 17 };
        using var result = enhancer.EnhanceLatents(refLatent, targets, warped, mask, options, recorder);

        var scheduler = enhancer.Model.Scheduler;
        using var fixedNoise = torch.randn([2, 4, 8, 8], generator: new Generator(17, CPU));
        Assert.Equal(10, recorder.Steps.Count);
        foreach (var (step, t, next, denoised, blended, noisedWarped) in recorder.Steps)
        {
            Assert.NotNull(noisedWarped);
            TensorAssert.Identical(Outside(denoised), Outside(blended));
            TensorAssert.Close(Inside(noisedWarped!), Inside(blended), 1e-6);
            TensorAssert.Close(Band(denoised).Plus(Band(noisedWarped!)).Times(0.5), Band(blended), 1e-6);
            if (noising == WarpedLatentNoising.ForwardDiffusion)
            {
                using var expected = scheduler.AddNoise(warped, fixedNoise, next);
                TensorAssert.Close(expected, noisedWarped, 1e-5);
            }
        }
        // the blended latent of each step is what the next step denoised from: the final result is the last blend
        TensorAssert.Identical(recorder.Steps[^1].Blended, result);
        if (noising == WarpedLatentNoising.DdimInversion)
            TensorAssert.Close(Inside(warped), Inside(result), 1e-6); // the inversion trajectory ends at the warped latent
        // inside the mask the noise level decreases step by step towards the warped latent
        var distances = recorder.Steps.Select(s => TensorAssert.MaxAbsDiff(Inside(s.Warped!), Inside(warped))).ToList();
        Assert.True(distances[^1] < distances[0]);
    }

    [Fact]
    public void BlendStepFraction_StopsBlendingAfterTheGivenShareOfSteps()
    {
        using var enhancer = new MultiViewDiffusionEnhancer(TinyModels.DiffusionModel());
        var (reference, coarse) = Images(2, targets: 1);
        using var refLatent = enhancer.EncodeImages(reference);
        using var targets = enhancer.EncodeImages(coarse);
        using var warped = torch.randn([1, 4, 8, 8]);
        using var mask = Mask(1);
        var recorder = new Recorder();
        using var _ = enhancer.EnhanceLatents(refLatent, targets, warped, mask, new MultiViewEnhanceOptions { BlendStepFraction = 0.5 }, recorder);
        for (int i = 0; i < 10; i++)
        {
            var s = recorder.Steps[i];
            if (i < 5) Assert.True(TensorAssert.MaxAbsDiff(s.Denoised, s.Blended) > 1e-4);
            else TensorAssert.Identical(s.Denoised, s.Blended);
        }
    }

    [Fact]
    public void MutualAttention_MakesTargetsDependOnTheReference_AndOnlyOnIt()
    {
        using var enhancer = new MultiViewDiffusionEnhancer(TinyModels.DiffusionModel());
        var (reference1, coarse) = Images(3);
        var (reference2, _) = Images(4);
        var on = new MultiViewEnhanceOptions { MutualAttention = new MutualAttentionOptions { LayerPrefixes = ["down_blocks", "mid_block", "up_blocks"] } };
        var off = new MultiViewEnhanceOptions { MutualAttention = new MutualAttentionOptions { Enabled = false } };
        using var r1 = enhancer.EncodeImages(reference1);
        using var r2 = enhancer.EncodeImages(reference2);
        using var t = enhancer.EncodeImages(coarse);

        using var off1 = enhancer.EnhanceLatents(r1, t, null, null, off);
        using var off2 = enhancer.EnhanceLatents(r2, t, null, null, off);
        // Without mutual attention the reference only rides along in the batch.
        TensorAssert.Close(off1, off2, 1e-5);

        using var on1 = enhancer.EnhanceLatents(r1, t, null, null, on);
        using var on2 = enhancer.EnhanceLatents(r2, t, null, null, on);
        Assert.True(TensorAssert.MaxAbsDiff(on1, on2) > 1e-4, "targets must follow the reference's keys/values");
        Assert.True(TensorAssert.MaxAbsDiff(on1, off1) > 1e-4);

        // A target's result does not depend on the other targets in the batch.
        using var alone = enhancer.EnhanceLatents(r1, t[1..2], null, null, on);
        TensorAssert.Close(on1[1..2], alone, 1e-5);
    }

    [Fact]
    public void Guidance_UsesNegativeEmbeddings_AndRequiresThem()
    {
        using var enhancer = new MultiViewDiffusionEnhancer(TinyModels.DiffusionModel());
        var (reference, coarse) = Images(5, targets: 1);
        using var r = enhancer.EncodeImages(reference);
        using var t = enhancer.EncodeImages(coarse);
        using var plain = enhancer.EnhanceLatents(r, t, null, null, new MultiViewEnhanceOptions());
        using var guided = enhancer.EnhanceLatents(r, t, null, null, new MultiViewEnhanceOptions { GuidanceScale = 3.0 });
        TensorAssert.Finite(guided);
        Assert.True(TensorAssert.MaxAbsDiff(plain, guided) > 1e-4);

        var model = new LatentDiffusionModel("tiny/no-negative", TinyModels.CreateUnet(TinyModels.SdUnet(), 1), TinyModels.CreateVae(2),
            new DdimScheduler(DdimSchedulerConfig.StableDiffusion()), TinyModels.Conditioning(3, negative: false), CPU, ScalarType.Float32);
        using var noNegative = new MultiViewDiffusionEnhancer(model);
        var ex = Assert.Throws<InvalidOperationException>(() => noNegative.EnhanceLatents(r, t, null, null, new MultiViewEnhanceOptions { GuidanceScale = 3.0 }));
        Assert.Contains("negative_prompt_embeds", ex.Message);
    }

    [Fact]
    public void InvalidInputs_AreRejectedWithClearMessages()
    {
        using var enhancer = new MultiViewDiffusionEnhancer(TinyModels.DiffusionModel());
        using var r = torch.zeros([1, 4, 8, 8]);
        using var t = torch.zeros([2, 4, 8, 8]);
        using var mask = torch.zeros([2, 1, 8, 8]);
        Assert.Contains("together", Assert.Throws<ArgumentException>(() => enhancer.EnhanceLatents(r, t, null, mask, new MultiViewEnhanceOptions())).Message);
        using var badMask = torch.zeros([2, 1, 4, 4]);
        Assert.Contains("masks", Assert.Throws<ArgumentException>(() => enhancer.EnhanceLatents(r, t, t, badMask, new MultiViewEnhanceOptions())).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => enhancer.EnhanceLatents(r, t, null, null, new MultiViewEnhanceOptions { Strength = 0.01 }));
        using var image = torch.zeros([1, 3, 12, 12]);
        Assert.Throws<ArgumentException>(() => enhancer.Enhance(new MultiViewEnhanceRequest(image, torch.zeros([1, 3, 16, 16])), new MultiViewEnhanceOptions()));
    }
}
