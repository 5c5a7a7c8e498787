using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests.PanoHead;

/// <summary>GAN inversion on the tiny configuration: the target is rendered by the same generator from a known latent.</summary>
[Collection(PanoHeadTestCollection.Name)]
public sealed class PanoHeadInversionTests(ITestOutputHelper output)
{
    [Fact]
    public void Latent_optimisation_then_pivotal_tuning_lower_the_reconstruction_loss()
    {
        var config = PanoHeadConfig.Tiny;
        torch.random.manual_seed(5);
        using var generator = new TriGridGenerator(config);
        generator.eval();
        torch.random.manual_seed(6);
        using var lpips = new LpipsVgg16();
        using (torch.no_grad())
            foreach (var (name, p) in lpips.named_parameters())
                if (name.StartsWith("lin", StringComparison.Ordinal)) p.abs_();
        using var scope = torch.NewDisposeScope();
        var camera = OrbitCameras.CreateAtYaw(new OrbitCameraOptions { Radius = 2.7, FovYDegrees = 13.37, Width = 32, Height = 32 }, 10);
        var c = torch.tensor(new PanoHeadFrame(Vector3d.Zero, 1).Label(camera)).unsqueeze(0);
        Tensor target;
        using (torch.no_grad())
        {
            var ws = generator.Mapping(torch.randn(1, config.ZDim, generator: new torch.Generator(77)), c);
            target = generator.Synthesis(ws, c, NoiseMode.Const, generator: new torch.Generator(1)).Image.detach();
        }
        var options = new PanoHeadInversionOptions { LatentSteps = 40, PivotalSteps = 15, WAverageSamples = 200, LatentLearningRate = 0.1, PivotalLearningRate = 1e-2 };
        var result = new PanoHeadInverter(options).Invert(generator, lpips, target, c, seed: 3);
        output.WriteLine($"loss at w_avg {result.InitialLoss:F4}, after the latent stage {result.LatentLoss:F4}, after pivotal tuning {result.PivotalLoss:F4}");
        Assert.Equal(new long[] { 1, generator.NumWs, config.WDim }, result.Ws.shape);
        Assert.True(result.LatentLoss < result.InitialLoss, "the latent stage did not lower the loss");
        Assert.True(result.PivotalLoss < 0.8 * result.LatentLoss, "pivotal tuning did not lower the loss");
    }
}
