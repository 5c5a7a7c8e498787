using System.Numerics;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.ImagePrior;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Vision.ImagePrior;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Weights.Scalars;
using Microsoft.Extensions.Options;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests.Stages;

/// <summary>
/// The <c>diffusion</c> image prior at the stage level (the EnhanceView handler and the stage backend) with the tiny
/// random diffusers folder: DDIM inversion then sampling, mutual attention and latent blending behave as the paper says.
/// </summary>
[Collection(TinyWeightedRunCollection.Name)]
public sealed class WeightedImagePriorStageTests(TinyWeightedRun run, ITestOutputHelper output)
{
    private string DiffusionFolder => Path.Combine(run.ModelsFolder, "diffusion", "cosmicman", "v1");

    [Fact]
    public async Task At_strength_zero_the_stage_returns_the_coarse_view_through_the_vae()
    {
        var (result, image, coarse, _, _) = await EnhanceViewAsync("strength0", strength: 0);

        using var model = await MultiViewDiffusionEnhancer.LoadAsync(DiffusionFolder, CPU);
        var expected = FromTensor(model.DecodeLatents(model.EncodeImages(ToTensor(coarse))));
        double worst = image.Data.Zip(expected.Data, (a, b) => Math.Abs(a - b)).Max();
        double fromCoarse = MeanAbs(image, coarse);
        output.WriteLine($"strength 0: max |stage - VAE(coarse)| {worst:F4}, mean |stage - coarse| {fromCoarse:F4}");
        Assert.Equal("diffusion:cosmicman/v1", result.Backend);
        Assert.Equal(0, result.Metrics!["timesteps"]);
        Assert.True(worst <= 1.01 / 255, $"{worst}");
        Assert.True(fromCoarse > 0.01, "the random VAE's round trip is not the identity, so the check above compares with the network");
    }

    [Fact]
    public async Task With_one_ddim_step_the_view_is_the_latent_blend_of_warp_and_coarse_and_more_steps_move_away_from_it()
    {
        // Strength 1/25: one DDIM step at t = 1 (inverted up, sampled down); the soft mask pastes the warp's latent.
        var one = await EnhanceViewAsync("strength004", strength: 0.04);
        var paper = await EnhanceViewAsync("strength04", strength: 0.4);

        using var model = await MultiViewDiffusionEnhancer.LoadAsync(DiffusionFolder, CPU);
        RgbImage Blend((StageResult, RgbImage, RgbImage Coarse, RgbImage Warped, FloatImage Soft) r)
        {
            using var scope = NewDisposeScope();
            var coarseLatent = model.EncodeImages(ToTensor(r.Coarse));                      // [1,4,h,w]
            var warpedLatent = model.EncodeImages(ToTensor(r.Warped));                      // [1,4,h,w]
            var soft = tensor(r.Soft.Data, [1, 1, r.Soft.Height, r.Soft.Width]);
            var m = nn.functional.adaptive_avg_pool2d(soft, [coarseLatent.shape[2], coarseLatent.shape[3]]); // [1,1,h,w]
            return FromTensor(model.DecodeLatents((m * warpedLatent).Plus((m.SubtractedFrom(1)) * coarseLatent)));
        }
        double errorOne = MeanAbs(one.Image, Blend(one)), errorPaper = MeanAbs(paper.Image, Blend(paper));
        var unblended = FromTensor(model.DecodeLatents(model.EncodeImages(ToTensor(one.Coarse))));
        double blendEffect = MeanAbs(one.Image, unblended);
        output.WriteLine($"soft mask mean {one.Soft.Data.Average():F3}; mean |stage - decode(m enc(warp) + (1-m) enc(coarse))|: 1 step {errorOne:F4}, 10 steps {errorPaper:F4}; " +
            $"1 step vs decode(enc(coarse)) {blendEffect:F4}");
        var paperBlend = Blend(paper);
        double Region(bool inside) => Enumerable.Range(0, paper.Soft.Data.Length).Where(i => (paper.Soft.Data[i] >= 1f) == inside)
            .Average(i => Enumerable.Range(0, 3).Average(c => (double)Math.Abs(paper.Image.Data[3 * i + c] - paperBlend.Data[3 * i + c])));
        output.WriteLine($"10 steps: mean |stage - blend| where m = 1: {Region(true):F4}, elsewhere {Region(false):F4}");
        Assert.Equal(1, one.Result.Metrics!["timesteps"]);
        Assert.Equal(10, paper.Result.Metrics!["timesteps"]);
        Assert.True(errorOne < 0.06, $"one step: {errorOne}");   // measured 0.037 (t = 1 is not t = 0; 8-bit warp)
        Assert.True(blendEffect > 2 * errorOne, $"the warp's latent is pasted where the anchors see the surface: {blendEffect} vs {errorOne}");
        Assert.True(errorPaper > 3 * errorOne, $"ten steps {errorPaper} vs one {errorOne}");
    }

    [Fact]
    public async Task Mutual_attention_is_self_attention_for_a_view_that_is_the_reference_and_changes_other_views()
    {
        var reference = EnhancementInputs.Gradient(16, 0.2f);
        float[] Enhance(bool mutual, RgbImage coarse)
        {
            using var backend = new DiffusionViewEnhancer(
                Options.Create(new DiffusionViewEnhancerOptions
                {
                    Folder = "diffusion/cosmicman/v1",
                    Enhance = new MultiViewEnhanceOptions { MutualAttention = new MutualAttentionOptions { Enabled = mutual } },
                }),
                Options.Create(new ModelStoreOptions { LocalPath = run.ModelsFolder }));
            return backend.EnhanceAsync(EnhancementInputs.Input(reference, coarse), CancellationToken.None).GetAwaiter().GetResult().Image.Data;
        }

        double same = MaxAbs(Enhance(true, reference), Enhance(false, reference));
        var other = EnhancementInputs.Gradient(16, 0.6f);
        double different = MaxAbs(Enhance(true, other), Enhance(false, other));
        output.WriteLine($"max |mutual - self|: view = reference {same:E2}, other view {different:E2}");
        Assert.True(same < 1e-5, $"{same}");
        Assert.True(different > 1e-3, $"{different}");
    }

    private async Task<(StageResult Result, RgbImage Image, RgbImage Coarse, RgbImage Warped, FloatImage Soft)> EnhanceViewAsync(string runId, double strength)
    {
        // View 1 of 4: a quarter turn, half of it seen by the reference or the back anchor.
        var settings = run.Settings with { ImagePriorBackend = "diffusion", DiffusionSteps = 25, DiffusionStrength = strength };
        const int view = 1;
        var (result, _) = await run.Harness.RunAsync(PipelineStage.EnhanceView, runId, PipelinePlan.ViewKey(view), run.Inputs, settings,
            new Dictionary<string, string> { ["view"] = "1" });
        async Task<BinaryData> Read(BlobRef blob) => await run.Harness.Blobs.TryReadAsync(blob, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"{blob} is missing");
        var image = StageImageCodec.ReadRgb(await Read(result.Outputs[StageFiles.Image]), StageFiles.Image);
        var coarse = StageImageCodec.ReadRgb(await Read(run.Inputs[StageFiles.From(PipelineStage.ShapePrior, StageFiles.ViewImage(view))]), "coarse");
        var warped = StageImageCodec.ReadRgb(await Read(result.Outputs[StageFiles.Warped]), StageFiles.Warped);
        var soft = StageImageCodec.ReadMask(await Read(result.Outputs[StageFiles.SoftMask]), StageFiles.SoftMask);
        return (result, image, coarse, warped, soft);
    }

    private static Tensor ToTensor(RgbImage image) =>
        tensor(image.Data, [image.Height, image.Width, 3]).permute(2, 0, 1).unsqueeze(0).Times(2).Minus(1);   // [1,3,H,W] in [-1,1]

    private static RgbImage FromTensor(Tensor images)
    {
        using var scope = NewDisposeScope();
        var hwc = images[0].Clamped(-1, 1).Plus(1).DividedBy(2).permute(1, 2, 0).contiguous();                     // [H,W,3]
        return new RgbImage((int)hwc.shape[1], (int)hwc.shape[0], hwc.data<float>().ToArray());
    }

    private static double MeanAbs(RgbImage a, RgbImage b) => a.Data.Zip(b.Data, (x, y) => (double)Math.Abs(x - y)).Average();

    private static double MaxAbs(float[] a, float[] b) => a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();
}
