using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// The SIMD CPU backend's fused projection and SH functions against the tensor-op implementations (whose gradients
/// come from TorchSharp autograd): same values and same gradients for random upstream gradients, in float64.
/// </summary>
public sealed class FusedSplatFunctionTests
{
    [Fact]
    public void Fused_projection_matches_the_tensor_projection_in_values_and_gradients()
    {
        using var scope = torch.NewDisposeScope();
        // Wide extent and a close camera: some Gaussians are culled or hit the Jacobian's field-of-view clamp.
        var scene = TestScene.Random(200, seed: 4, ScalarType.Float64, extent: 0.9, minScale: 0.01, maxScale: 0.2);
        var camera = TestScene.FrontCamera(64, 48, fovY: 40, distance: 1.2);
        var options = new RasterizerOptions();
        var gen = new torch.Generator(5);
        var w2 = torch.randn(new long[] { 200, 2 }, ScalarType.Float64, generator: gen);
        var w3 = torch.randn(new long[] { 200, 3 }, ScalarType.Float64, generator: gen);
        var w1 = torch.randn(new long[] { 200 }, ScalarType.Float64, generator: gen);

        var results = new List<(Tensor[] Values, Tensor[] Grads)>();
        foreach (bool fused in new[] { false, true })
        {
            foreach (var p in scene.Parameters) p.grad?.zero_();
            var g = scene.Gaussians();
            var proj = fused
                ? FusedProjectionFunction.Project(g.Means, g.Quaternions, g.Scales, camera, options)
                : GaussianProjection.Project(g.Means, g.Quaternions, g.Scales, camera, options);
            (proj.Means2d * w2).sum().Plus((proj.Conics * w3).Times(1e-3).sum()).Plus((proj.Depths * w1).sum()).backward();
            results.Add((new[] { proj.Means2d.detach(), proj.Conics.detach(), proj.Depths.detach(), proj.Radii.to_type(ScalarType.Float64) },
                new[] { scene.Means.grad!.clone(), scene.Quats.grad!.clone(), scene.LogScales.grad!.clone() }));
        }
        var radii = results[0].Values[3];
        Assert.True(radii.IsEqualTo(0).any().item<bool>() && radii.IsGreaterThan(0).any().item<bool>(), "scene should have culled and visible Gaussians");
        string[] names = { "means2d", "conics", "depths", "radii" };
        for (int i = 0; i < 4; i++) AssertClose(results[0].Values[i], results[1].Values[i], 1e-9, names[i]);
        string[] gradNames = { "d means", "d quaternions", "d log scales" };
        for (int i = 0; i < 3; i++) AssertClose(results[0].Grads[i], results[1].Grads[i], 1e-8, gradNames[i]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Fused_sh_colours_match_the_tensor_sh_in_values_and_gradients(int degree)
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator(6);
        var means = torch.randn(new long[] { 300, 3 }, ScalarType.Float64, generator: gen).Times(0.3).requires_grad_();
        // Large coefficients so that some colours hit the clamp at 0; 16 coefficients whatever the degree (extra ones unused).
        var coeffs = torch.randn(new long[] { 300, 16, 3 }, ScalarType.Float64, generator: gen).Times(0.8).requires_grad_();
        var centre = torch.tensor(new[] { 0.1, -0.2, 2.0 }, ScalarType.Float64);
        var w = torch.randn(new long[] { 300, 3 }, ScalarType.Float64, generator: gen);

        var results = new List<Tensor[]>();
        foreach (bool fused in new[] { false, true })
        {
            means.grad?.zero_(); coeffs.grad?.zero_();
            var colors = fused ? FusedShColorFunction.Colors(degree, means, coeffs, centre, 0) : SphericalHarmonics.ToColor(degree, means - centre, coeffs);
            (colors * w).sum().backward();
            results.Add(new[] { colors.detach(), means.grad?.clone() ?? torch.zeros_like(means), coeffs.grad!.clone() }); // degree 0: no gradient to the means
        }
        Assert.True(results[0][0].IsEqualTo(0).any().item<bool>(), "some colours should be clamped");
        AssertClose(results[0][0], results[1][0], 1e-12, "colours");
        AssertClose(results[0][1], results[1][1], 1e-10, "d means");
        AssertClose(results[0][2], results[1][2], 1e-12, "d coefficients");
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        double scale = Math.Max(1.0, expected.abs().max().item<double>());
        double diff = (expected - actual).abs().max().item<double>();
        Assert.True(diff <= tol * scale, $"{what}: max difference {diff:E3} (scale {scale:G4})");
    }
}
