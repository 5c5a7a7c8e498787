using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Tests.Support;

/// <summary>Deterministic synthetic test images in the metric layout [N, 3, H, W], values in [0, 1].</summary>
public static class TestImages
{
    /// <summary>Smooth coloured texture (sums of seeded sinusoids) in [0.2, 0.8], so added noise rarely clips.</summary>
    public static Tensor Texture(int seed, int n, int h, int w)
    {
        var rng = new Random(seed);
        var data = new float[n * 3 * h * w];
        for (int b = 0; b < n; b++)
        for (int c = 0; c < 3; c++)
        {
            var waves = Enumerable.Range(0, 4).Select(_ => (fx: rng.NextDouble() * 0.3, fy: rng.NextDouble() * 0.3, ph: rng.NextDouble() * 6.28, a: rng.NextDouble())).ToArray();
            double norm = waves.Sum(v => v.a);
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double v = 0;
                foreach (var (fx, fy, ph, a) in waves) v += a * Math.Sin(fx * x + fy * y + ph);
                data[((b * 3 + c) * h + y) * w + x] = (float)(0.5 + 0.3 * v / norm);
            }
        }
        return torch.tensor(data, new long[] { n, 3, h, w });
    }

    /// <summary>x + N(0, σ²) from a seeded generator (not clipped).</summary>
    public static Tensor WithNoise(Tensor x, double sigma, int seed)
    {
        using var g = new Generator((ulong)seed, CPU);
        using var noise = torch.randn(x.shape, ScalarType.Float32, CPU, generator: g);
        return x.Plus(noise.Times(sigma));
    }

    public static double[] ToDoubles(Tensor t) => t.to(ScalarType.Float64).contiguous().cpu().data<double>().ToArray();
}
