using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// <see cref="SphericalHarmonics.ToColor"/> fused into one pass per Gaussian for CPU tensors, with an analytic
/// backward (custom autograd function): direction = mean - camera centre, normalised; colour = max(0, sum_k basis_k(dir)
/// coeff_k + 0.5). Backward: d/dcoeff_k = basis_k g (where the clamp is inactive), d/dmean through the polynomial
/// derivatives of the basis and the normalisation. Replaces about 60 small tensor operations (forward + autograd) by two
/// parallel loops. Arguments: means [N,3], coefficients [N,K,C], camera centre [3], <see cref="Settings"/> (degree, threads, phase times). Output colours [N,C].
/// </summary>
internal sealed unsafe class FusedShColorFunction : torch.autograd.MultiTensorFunction<FusedShColorFunction>
{
    public override string Name => nameof(FusedShColorFunction);

    /// <summary>Colours [N, C] for CPU float32/float64 tensors.</summary>
    public static Tensor Colors(int degree, Tensor means, Tensor coefficients, Tensor cameraCentre, int threads, RasterizerPhaseTimes? times = null)
    {
        int k = SphericalHarmonics.CoefficientCount(degree);
        if (degree < 0 || degree > SphericalHarmonics.MaxDegree) throw new ArgumentOutOfRangeException(nameof(degree));
        if (coefficients.ndim != 3 || coefficients.shape[0] != means.shape[0] || coefficients.shape[1] < k)
            throw new ArgumentException($"SH degree {degree} needs coefficients [N, >= {k}, C], got [{string.Join(", ", coefficients.shape)}].", nameof(coefficients));
        return apply(means, coefficients, cameraCentre, new Settings(degree, threads, times))[0];
    }

    public override List<Tensor> forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var means = (Tensor)vars[0]; var coeffs = (Tensor)vars[1]; var centre = (Tensor)vars[2];
        var settings = (Settings)vars[3];
        var (degree, threads, _) = settings;
        var dtype = means.dtype;
        using var scope = torch.NewDisposeScope();
        var m = means.detach().contiguous(); var c = coeffs.detach().to_type(dtype).contiguous(); var cc = centre.detach().to_type(dtype).contiguous();
        long n = m.shape[0], kAll = c.shape[1], channels = c.shape[2];
        var colors = torch.empty(new long[] { n, channels }, dtype);
        if (dtype == ScalarType.Float32) Forward<float>(m, c, cc, colors, degree, threads);
        else if (dtype == ScalarType.Float64) Forward<double>(m, c, cc, colors, degree, threads);
        else throw new NotSupportedException($"Fused SH supports float32/float64, not {dtype}.");
        // Save the inputs themselves: tensors made in this scope are disposed when it ends.
        ctx.save_for_backward(new List<Tensor> { means, coeffs, centre });
        ctx.save_data("settings", settings);
        return new List<Tensor> { colors.MoveToOuterDisposeScope() };
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, List<Tensor> gradOutputs)
    {
        var (degree, threads, times) = (Settings)ctx.get_data("settings");
        using var phase = times?.Start(RasterizerPhase.ColorsBackward);
        var saved = ctx.get_saved_variables();
        using var scope = torch.NewDisposeScope();
        var m = saved[0].detach().contiguous(); var c = saved[1].detach().to_type(m.dtype).contiguous(); var cc = saved[2].detach().to_type(m.dtype).contiguous();
        var g = gradOutputs[0] is { } go ? go.to_type(m.dtype).contiguous() : torch.zeros(new long[] { m.shape[0], c.shape[2] }, m.dtype);
        var gMeans = torch.zeros_like(m);
        var gCoeffs = torch.empty_like(c); // every element is written by Backward (no separate zero-fill pass)
        if (m.dtype == ScalarType.Float32) Backward<float>(m, c, cc, g, gMeans, gCoeffs, degree, threads);
        else Backward<double>(m, c, cc, g, gMeans, gCoeffs, degree, threads);
        return new List<Tensor> { gMeans.MoveToOuterDisposeScope(), gCoeffs.MoveToOuterDisposeScope(), null!, null! };
    }

    private sealed record Settings(int Degree, int Threads, RasterizerPhaseTimes? Times);

    private static TP* Ptr<TP>(Tensor t) where TP : unmanaged =>
        t.numel() == 0 ? null : (TP*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    private static ParallelOptions Parallelism(int threads) => new() { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };

    /// <summary>
    /// Gaussians per parallel work item (each Gaussian's result depends on it alone, so any size gives the same bits):
    /// 512 makes 20 items at 10K Gaussians, so two workers split evenly (2048 made 5, a 3:2 split) and a worker that
    /// loses its core holds back at most 512.
    /// </summary>
    private const int Block = 512;

    private static void Forward<T>(Tensor means, Tensor coeffs, Tensor centre, Tensor colors, int degree, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = means.shape[0];
        int kAll = (int)coeffs.shape[1], ch = (int)coeffs.shape[2], k = SphericalHarmonics.CoefficientCount(degree);
        nint mp = (nint)Ptr<T>(means), cp = (nint)Ptr<T>(coeffs), op = (nint)Ptr<T>(colors);
        T* cen = Ptr<T>(centre);
        double cx = double.CreateTruncating(cen[0]), cy = double.CreateTruncating(cen[1]), cz = double.CreateTruncating(cen[2]);
        Parallel.For(0, (n + Block - 1) / Block, Parallelism(threads), blk =>
        {
            Span<double> basis = stackalloc double[16];
            T* mu = (T*)mp, co = (T*)cp, outp = (T*)op;
            for (long i = blk * Block, end = Math.Min(n, i + Block); i < end; i++)
            {
                Direction(mu + 3 * i, cx, cy, cz, out double x, out double y, out double z, out _);
                Basis(degree, x, y, z, basis);
                T* ci = co + i * kAll * ch;
                for (int c = 0; c < ch; c++)
                {
                    double s = 0.5;
                    for (int j = 0; j < k; j++) s += basis[j] * double.CreateTruncating(ci[j * ch + c]);
                    outp[i * ch + c] = T.CreateTruncating(Math.Max(0.0, s));
                }
            }
        });
    }

    private static void Backward<T>(Tensor means, Tensor coeffs, Tensor centre, Tensor grad, Tensor gMeans, Tensor gCoeffs, int degree, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = means.shape[0];
        int kAll = (int)coeffs.shape[1], ch = (int)coeffs.shape[2], k = SphericalHarmonics.CoefficientCount(degree);
        nint mp = (nint)Ptr<T>(means), cp = (nint)Ptr<T>(coeffs), gp = (nint)Ptr<T>(grad);
        nint gmp = (nint)Ptr<T>(gMeans), gcp = (nint)Ptr<T>(gCoeffs);
        T* cen = Ptr<T>(centre);
        double cx = double.CreateTruncating(cen[0]), cy = double.CreateTruncating(cen[1]), cz = double.CreateTruncating(cen[2]);
        Parallel.For(0, (n + Block - 1) / Block, Parallelism(threads), blk =>
        {
            Span<double> basis = stackalloc double[16];
            Span<double> gb = stackalloc double[16]; // dL/dbasis_j
            Span<double> gEff = stackalloc double[ch];
            T* mu = (T*)mp, co = (T*)cp, g = (T*)gp, gm = (T*)gmp, gc = (T*)gcp;
            for (long i = blk * Block, end = Math.Min(n, i + Block); i < end; i++)
            {
                T* ci = co + i * kAll * ch;
                T* gci = gc + i * kAll * ch;
                bool any = false;
                for (int c = 0; c < ch; c++) any |= double.CreateTruncating(g[i * ch + c]) != 0;
                if (!any)
                {
                    new Span<T>(gci, kAll * ch).Clear();
                    continue;
                }
                Direction(mu + 3 * i, cx, cy, cz, out double x, out double y, out double z, out double norm);
                Basis(degree, x, y, z, basis);
                // Colour = max(0, raw + 0.5): the gradient passes where raw + 0.5 >= 0 (torch's clamp_min rule).
                for (int c = 0; c < ch; c++)
                {
                    double s = 0.5;
                    for (int j = 0; j < k; j++) s += basis[j] * double.CreateTruncating(ci[j * ch + c]);
                    gEff[c] = s >= 0 ? double.CreateTruncating(g[i * ch + c]) : 0;
                }
                for (int j = 0; j < k; j++)
                {
                    double acc = 0;
                    for (int c = 0; c < ch; c++)
                    {
                        gci[j * ch + c] = T.CreateTruncating(basis[j] * gEff[c]);
                        acc += gEff[c] * double.CreateTruncating(ci[j * ch + c]);
                    }
                    gb[j] = acc;
                }
                new Span<T>(gci + k * ch, (kAll - k) * ch).Clear(); // coefficients above the degree in use
                if (degree == 0 || norm == 0) continue;
                BasisGradient(degree, x, y, z, gb, out double gx, out double gy, out double gz);
                // Through d = v / |v|: dL/dv = (gd - d (d . gd)) / |v|.
                double dot = x * gx + y * gy + z * gz;
                gm[3 * i] = T.CreateTruncating((gx - x * dot) / norm);
                gm[3 * i + 1] = T.CreateTruncating((gy - y * dot) / norm);
                gm[3 * i + 2] = T.CreateTruncating((gz - z * dot) / norm);
            }
        });
    }

    /// <summary>Unit direction from the camera centre to the mean and the distance (F.normalize semantics: |v| clamped at 1e-12).</summary>
    private static void Direction<T>(T* mu, double cx, double cy, double cz, out double x, out double y, out double z, out double norm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double vx = double.CreateTruncating(mu[0]) - cx, vy = double.CreateTruncating(mu[1]) - cy, vz = double.CreateTruncating(mu[2]) - cz;
        double len = Math.Sqrt(vx * vx + vy * vy + vz * vz);
        norm = Math.Max(len, 1e-12);
        x = vx / norm; y = vy / norm; z = vz / norm;
        if (len < 1e-12) norm = 0; // gradient of the clamped norm is not the normalisation's; treat as zero
    }

    private static readonly double C0 = SphericalHarmonics.C0, C1 = SphericalHarmonics.C1;

    private static void Basis(int degree, double x, double y, double z, Span<double> b)
    {
        b[0] = C0;
        if (degree < 1) return;
        b[1] = -C1 * y; b[2] = C1 * z; b[3] = -C1 * x;
        if (degree < 2) return;
        var c2 = SphericalHarmonics.C2;
        double xx = x * x, yy = y * y, zz = z * z;
        b[4] = c2[0] * x * y; b[5] = c2[1] * y * z; b[6] = c2[2] * (2 * zz - xx - yy); b[7] = c2[3] * x * z; b[8] = c2[4] * (xx - yy);
        if (degree < 3) return;
        var c3 = SphericalHarmonics.C3;
        b[9] = c3[0] * y * (3 * xx - yy); b[10] = c3[1] * x * y * z; b[11] = c3[2] * y * (4 * zz - xx - yy);
        b[12] = c3[3] * z * (2 * zz - 3 * xx - 3 * yy); b[13] = c3[4] * x * (4 * zz - xx - yy); b[14] = c3[5] * z * (xx - yy);
        b[15] = c3[6] * x * (xx - 3 * yy);
    }

    /// <summary>sum_j gb_j d basis_j / d(x, y, z), the basis polynomials differentiated in the (unit) direction components.</summary>
    private static void BasisGradient(int degree, double x, double y, double z, ReadOnlySpan<double> gb, out double gx, out double gy, out double gz)
    {
        gx = -C1 * gb[3]; gy = -C1 * gb[1]; gz = C1 * gb[2];
        if (degree < 2) return;
        var c2 = SphericalHarmonics.C2;
        gx += c2[0] * y * gb[4] - 2 * c2[2] * x * gb[6] + c2[3] * z * gb[7] + 2 * c2[4] * x * gb[8];
        gy += c2[0] * x * gb[4] + c2[1] * z * gb[5] - 2 * c2[2] * y * gb[6] - 2 * c2[4] * y * gb[8];
        gz += c2[1] * y * gb[5] + 4 * c2[2] * z * gb[6] + c2[3] * x * gb[7];
        if (degree < 3) return;
        var c3 = SphericalHarmonics.C3;
        double xx = x * x, yy = y * y, zz = z * z;
        gx += c3[0] * 6 * x * y * gb[9] + c3[1] * y * z * gb[10] - c3[2] * 2 * x * y * gb[11] - c3[3] * 6 * x * z * gb[12]
              + c3[4] * (4 * zz - 3 * xx - yy) * gb[13] + c3[5] * 2 * x * z * gb[14] + c3[6] * (3 * xx - 3 * yy) * gb[15];
        gy += c3[0] * (3 * xx - 3 * yy) * gb[9] + c3[1] * x * z * gb[10] + c3[2] * (4 * zz - xx - 3 * yy) * gb[11] - c3[3] * 6 * y * z * gb[12]
              - c3[4] * 2 * x * y * gb[13] - c3[5] * 2 * y * z * gb[14] - c3[6] * 6 * x * y * gb[15];
        gz += c3[1] * x * y * gb[10] + c3[2] * 8 * y * z * gb[11] + c3[3] * (6 * zz - 3 * xx - 3 * yy) * gb[12] + c3[4] * 8 * x * z * gb[13]
              + c3[5] * (xx - yy) * gb[14];
    }
}
