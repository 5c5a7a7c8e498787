using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using FaceCraft4D.Weights;
using FaceCraft4D.Vision.ShapePrior.Template;
using FaceCraft4D.Vision.Tests.ShapePrior;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.PanoHead;

/// <summary>
/// The panohead backend's plumbing with a tiny randomly initialised generator (no real weights exist here): weights
/// load from safetensors by name, the portrait is inverted, every orbit view is rendered with depth and mask in the
/// pipeline's world and cameras.
/// </summary>
[Collection(GlobalTorchRngCollection.Name)]
public sealed class PanoHeadShapePriorTests(SamplePortraitShapePrior sample, ITestOutputHelper output) : IClassFixture<SamplePortraitShapePrior>
{
    [Fact]
    public async Task Tiny_random_generator_renders_every_orbit_view_with_depth_and_mask()
    {
        var config = PanoHeadConfig.Tiny;
        torch.random.manual_seed(31);
        using var source = new TriGridGenerator(config);
        using var lpipsSource = new LpipsNetwork(LpipsConfig.Vgg16);
        var generatorFile = InMemorySafeTensors.FromStateDict(source);
        var lpipsFile = InMemorySafeTensors.FromStateDict(lpipsSource);
        using var template = new TemplateShapePrior(sample.Model);
        var options = new PanoHeadShapePriorOptions
        {
            NeuralRenderingResolution = config.NeuralRenderingResolution,
            Inversion = new PanoHeadInversionOptions { LatentSteps = 5, PivotalSteps = 3, WAverageSamples = 64 },
        };
        using var prior = new PanoHeadShapePrior(template, generatorFile, lpipsFile, config, options);

        var result = await prior.RunAsync(sample.Input, new ShapePriorRequest(32, 4, 7), CancellationToken.None);

        output.WriteLine(string.Join(", ", result.Metrics.Where(kv => kv.Key.Contains("inversion") || kv.Key.Contains("panohead") || kv.Key.Contains("generator")).Select(kv => $"{kv.Key} {kv.Value:F4}")));
        Assert.Equal("panohead", result.Backend);
        Assert.Equal(4, result.Views.Count);
        foreach (var view in result.Views)
        {
            Assert.Equal((32, 32), (view.Image.Width, view.Image.Height));
            Assert.Equal((32, 32), (view.Depth.Width, view.Depth.Height));
            for (int i = 0; i < view.Depth.Values.Data.Length; i++)
            {
                float d = view.Depth.Values.Data[i];
                Assert.True(d == 0 || view.Mask.Data[i] >= 0.5f);
                // The generator's rays run from 2.25 to 3.3 of its units; in metres that is around the camera distance.
                if (d > 0) Assert.InRange(d, 2.0 / result.Metrics["generator_units_per_metre"], 3.5 / result.Metrics["generator_units_per_metre"]);
            }
        }
        var reference = result.Head.ReferenceCamera.Extrinsics.WorldToCamera;
        var first = result.Views[0].Camera.Extrinsics.WorldToCamera;
        for (int i = 0; i < 16; i++) Assert.Equal(reference[i], first[i], 9);
    }
}
