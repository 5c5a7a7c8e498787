using FaceCraft4D.Graphics.Splatting;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// Compares the rasterizer with the float64 reference cases in $FC4D_SPLAT_GOLDENS (default: the repository's copy, tests/fixtures/splatting):
/// projection (radii, means2d, depths, conics), colours, image and alpha, for every compositing backend (the SIMD CPU one also on its scalar path), in float32.
/// </summary>
public sealed class SplattingGoldenTests
{
    private const double Tolerance = 1e-4;

    public static IEnumerable<object[]> Cases()
    {
        var folder = RepositoryPaths.SplatGoldens;
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToArray() : Array.Empty<string>();
        if (files.Length == 0)
        {
            // A missing or empty folder must fail, not silently produce zero test cases.
            yield return new object[] { "MISSING:" + folder, RasterizerBackend.ManagedCpu, true };
            yield break;
        }
        foreach (var f in files)
            foreach (var b in RasterizerReferenceTests.Backends)
                yield return new object[] { f, b[0], b[1] };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rasterizer_matches_reference_case(string file, RasterizerBackend backend, bool cpuSimd)
    {
        Assert.False(file.StartsWith("MISSING:", StringComparison.Ordinal),
            $"Splatting goldens folder '{file["MISSING:".Length..]}' is missing or has no *.json (set FC4D_SPLAT_GOLDENS).");
        var g = GoldenCase.Load(file);
        using var scope = torch.NewDisposeScope();
        var f32 = ScalarType.Float32;
        var gaussians = new SplatGaussians
        {
            Means = torch.tensor(g.Means, new long[] { g.N, 3 }, f32),
            Quaternions = torch.tensor(g.Quats, new long[] { g.N, 4 }, f32),
            Scales = torch.tensor(g.Scales, new long[] { g.N, 3 }, f32),
            Opacities = torch.tensor(g.Opacities, new long[] { g.N }, f32),
            ShCoefficients = torch.tensor(g.ShCoeffs, g.ShShape, f32),
            ShDegree = g.ShDegree,
        };
        var rasterizer = new GaussianRasterizer(new RasterizerOptions { Backend = backend, CpuSimd = cpuSimd });
        var output = rasterizer.Render(gaussians, g.Camera, torch.tensor(g.Background, f32));

        var radii = output.Projection.Radii.data<int>().ToArray();
        Assert.Equal(g.ExpectedRadii, radii);
        var visible = Enumerable.Range(0, g.N).Select(i => g.ExpectedRadii[2 * i] > 0 && g.ExpectedRadii[2 * i + 1] > 0).ToArray();

        AssertClose(g.Name, "depths", g.ExpectedDepths, output.Projection.Depths, 1, i => true);
        AssertClose(g.Name, "means2d", g.ExpectedMeans2d, output.Projection.Means2d, 2, i => visible[i]);
        AssertClose(g.Name, "conics", g.ExpectedConics, output.Projection.Conics, 3, i => visible[i]);
        AssertClose(g.Name, "colors", g.ExpectedColors, output.Colors, 3, i => true);
        AssertClose(g.Name, "image", g.ExpectedImage, output.Image, 1, i => true);
        AssertClose(g.Name, "alpha", g.ExpectedAlpha, output.Alpha, 1, i => true);
    }

    private static void AssertClose(string name, string what, double[] expected, Tensor actual, int group, Func<int, bool> include)
    {
        var a = actual.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        Assert.True(expected.Length == a.Length, $"{name}/{what}: expected {expected.Length} values, got {a.Length}.");
        double worst = 0; int worstAt = -1;
        for (int i = 0; i < a.Length; i++)
        {
            if (!include(i / group)) continue;
            double err = Math.Abs(a[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            if (err > worst) { worst = err; worstAt = i; }
        }
        Assert.True(worst <= Tolerance,
            $"{name}/{what}: max error {worst:E3} at index {worstAt} (expected {expected[Math.Max(0, worstAt)]}, got {a[Math.Max(0, worstAt)]}).");
    }
}
