using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Lifetimes;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// No Tensor of a render (with and without backward) inside a scope is left to the finalizer (docs/torchsharp-lifetimes.md),
/// counted with <see cref="FinalizedTensors"/>: the training and tracking steps are such scopes.
/// </summary>
public sealed class FinalizedTensorsTrainingStepTests(ITestOutputHelper output)
{
    private static SplatGaussians Scene(int n, bool grad)
    {
        var gen = new torch.Generator(5);
        var means = torch.randn([n, 3], generator: gen).Times(0.05);
        return new SplatGaussians
        {
            Means = grad ? means.requires_grad_(true) : means,
            Quaternions = torch.randn([n, 4], generator: gen),
            Scales = torch.rand([n, 3], generator: gen).Times(0.02).Plus(0.008),
            Opacities = torch.rand([n], generator: gen).Times(0.35).Plus(0.6),
            ShCoefficients = SphericalHarmonics.RgbToDc(torch.rand([n, 3], generator: gen)).unsqueeze(1),
            ShDegree = 0,
        };
    }

    // GaussianCompositeFunction.backward detached its four gradients from every scope (scope.Detach) before libtorch took
    // their handles: 4 finalized tensors per step and a race with THSAutograd_backward reading them (s31). It moves them to
    // the outer scope now: 0, 0, 0; with the old line this fails with 4.
    [Fact]
    public void Render_and_backward_in_a_scope()
    {
        var camera = OrbitCameras.Create(new OrbitCameraOptions { ViewCount = 1, Width = 32, Height = 32, FovYDegrees = 18 })[0];
        var rasterizer = new GaussianRasterizer();
        long Once() => FinalizedTensors.During(() =>
        {
            using var scope = torch.NewDisposeScope();
            var g = Scene(100, grad: true);
            var image = rasterizer.Render(g, camera, torch.ones(3)).Image;
            image.sum().backward();
        });
        Once();
        var counts = Enumerable.Range(0, 3).Select(_ => Once()).ToArray();
        output.WriteLine($"render + backward: {string.Join(", ", counts)} tensors finalized");
        Assert.All(counts, c => Assert.Equal(0, c));
    }

    [Fact]
    public void Render_without_gradients_in_a_scope()
    {
        var camera = OrbitCameras.Create(new OrbitCameraOptions { ViewCount = 1, Width = 32, Height = 32, FovYDegrees = 18 })[0];
        var rasterizer = new GaussianRasterizer();
        long Once() => FinalizedTensors.During(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            _ = rasterizer.Render(Scene(100, grad: false), camera, torch.ones(3)).Image;
        });
        Once();
        var counts = Enumerable.Range(0, 3).Select(_ => Once()).ToArray();
        output.WriteLine($"render without gradients: {string.Join(", ", counts)} tensors finalized");
        Assert.All(counts, c => Assert.Equal(0, c));
    }
}
