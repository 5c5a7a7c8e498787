using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.ImageQuality;

/// <summary>
/// The weighted mean of the zero-padded SSIM map (or of its contrast-structure map cs) of one image pair, as one custom
/// autograd function on CPU float32 tensors: the five local moments (E[x], E[y], E[x²], E[y²], E[xy]) by a direct separable
/// window of <c>win</c> taps per axis (width, then height, as <see cref="GaussianFilterBank"/>), the map and its weighted sum in
/// the same pass. Backward by the chain rule through the moments: with a = dL/dμx, b = dL/dE[x²], c = dL/dE[xy] per output
/// pixel, <c>dL/dx = F(a) + 2 x F(b) + y F(c)</c>, where F is the same window (a symmetric odd window with zero padding is
/// its own adjoint). Replaces the band-matrix GEMMs (side² multiply-adds per pixel and axis instead of win) and the tensor
/// ops of the map and their autograd nodes. The second image gets no gradient.
/// Inputs: x, y [C, H, W]; weights [H, W] (the loss is <c>sum_c sum_q w_q map_cq</c>) or, when absent, 1 / (C H W) everywhere.
/// </summary>
internal sealed class FusedSsimFunction : torch.autograd.MultiTensorFunction<FusedSsimFunction>
{
    public override string Name => nameof(FusedSsimFunction);

    /// <summary>Settings of one call.</summary>
    internal sealed record Settings(int Window, double Sigma, double C1, double C2, bool ContrastOnly);

    /// <summary>True when the inputs can take the fused path (CPU float32, one image).</summary>
    public static bool Supports(Tensor x, Tensor y) =>
        x.device_type == DeviceType.CPU && y.device_type == DeviceType.CPU && x.dtype == ScalarType.Float32 && y.dtype == ScalarType.Float32;

    /// <summary>The weighted map sum (0-dim) for x, y [C, H, W] and weights [H, W] or null (uniform mean).</summary>
    public static Tensor Apply(Tensor x, Tensor y, Tensor? weights, Settings settings)
    {
        if (x.ndim != 3 || !x.shape.SequenceEqual(y.shape)) throw new ArgumentException("Need two images [C, H, W] of one shape.");
        if (settings.Window % 2 != 1 || settings.Window / 2 > Math.Min(x.shape[1], x.shape[2])) throw new ArgumentException($"Window {settings.Window} must be odd and fit the image.");
        var w = weights ?? torch.empty(0, ScalarType.Float32);
        return apply(x, y, w, settings)[0];
    }

    public override List<Tensor> forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var y = (Tensor)vars[1];
        var weights = (Tensor)vars[2];
        var settings = (Settings)vars[3];
        using var scope = torch.NewDisposeScope();
        var (xs, ys, ws) = Inputs(x, y, weights);
        double total = Run(xs, ys, ws, settings, (int)x.shape[0], (int)x.shape[1], (int)x.shape[2], upstream: 0, gradient: null);
        ctx.save_for_backward([x, y, weights]);
        ctx.save_data("settings", settings);
        return [torch.tensor((float)total, ScalarType.Float32).MoveToOuterDisposeScope()];
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, List<Tensor> gradOutputs)
    {
        var saved = ctx.get_saved_variables();
        var settings = (Settings)ctx.get_data("settings");
        using var scope = torch.NewDisposeScope();
        var x = saved[0];
        var gradX = torch.zeros(x.shape, ScalarType.Float32);
        if (gradOutputs[0] is { } g)
        {
            var (xs, ys, ws) = Inputs(x, saved[1], saved[2]);
            Run(xs, ys, ws, settings, (int)x.shape[0], (int)x.shape[1], (int)x.shape[2], g.to_type(ScalarType.Float64).item<double>(), gradX);
        }
        return [gradX.MoveToOuterDisposeScope(), null!, null!, null!];
    }

    private static (Tensor X, Tensor Y, Tensor? W) Inputs(Tensor x, Tensor y, Tensor weights) =>
        (x.detach().contiguous(), y.detach().contiguous(), weights.numel() == 0 ? null : weights.detach().to_type(ScalarType.Float32).contiguous());

    /// <summary>The 1-D window (normalised Gaussian, as <see cref="GaussianFilterBank"/>).</summary>
    private static float[] Taps(int window, double sigma)
    {
        var g = new double[window];
        double c = (window - 1) / 2.0, total = 0;
        for (int i = 0; i < window; i++) total += g[i] = Math.Exp(-(i - c) * (i - c) / (2 * sigma * sigma));
        return g.Select(v => (float)(v / total)).ToArray();
    }

    /// <summary>Forward (gradient null): returns the loss. Backward: writes dL/dx scaled by <paramref name="upstream"/>.</summary>
    private static double Run(Tensor xt, Tensor yt, Tensor? wt, Settings s, int channels, int height, int width, double upstream, Tensor? gradient)
    {
        var taps = Taps(s.Window, s.Sigma);
        var sums = new double[channels];
        float uniform = 1f / ((float)channels * height * width);
        Parallel.For(0, channels, c =>
        {
            int plane = height * width;
            var x = MemoryMarshal.Cast<byte, float>(xt.bytes).Slice(c * plane, plane);
            var y = MemoryMarshal.Cast<byte, float>(yt.bytes).Slice(c * plane, plane);
            ReadOnlySpan<float> w = wt is null ? default : MemoryMarshal.Cast<byte, float>(wt.bytes);
            var pool = ArrayPool<float>.Shared;
            var buffer = pool.Rent(9 * plane + Math.Max(width, height) + 2 * s.Window);
            try
            {
                var all = buffer.AsSpan();
                Span<float> muX = all.Slice(0, plane), muY = all.Slice(plane, plane), exx = all.Slice(2 * plane, plane),
                    eyy = all.Slice(3 * plane, plane), exy = all.Slice(4 * plane, plane), product = all.Slice(5 * plane, plane),
                    tmp = all.Slice(6 * plane, plane), scratch = all.Slice(9 * plane);
                Filter(x, muX, tmp, scratch, taps, height, width);
                Filter(y, muY, tmp, scratch, taps, height, width);
                Multiply(x, x, product);
                Filter(product, exx, tmp, scratch, taps, height, width);
                Multiply(y, y, product);
                Filter(product, eyy, tmp, scratch, taps, height, width);
                Multiply(x, y, product);
                Filter(product, exy, tmp, scratch, taps, height, width);
                float c1 = (float)s.C1, c2 = (float)s.C2;
                if (gradient is null)
                {
                    sums[c] = MapSum(muX, muY, exx, eyy, exy, w, uniform, c1, c2, s.ContrastOnly);
                    return;
                }
                // Per output pixel: a = dL/dmu_x (into muX's slot), b = dL/dE[x^2] (exx), cc = dL/dE[xy] (exy).
                MapGradients(muX, muY, exx, eyy, exy, w, uniform, (float)upstream, c1, c2, s.ContrastOnly);
                // Reuse slots: F(a) -> muY, F(b) -> eyy, F(c) -> product.
                Filter(muX, muY, tmp, scratch, taps, height, width);
                Filter(exx, eyy, tmp, scratch, taps, height, width);
                Filter(exy, product, tmp, scratch, taps, height, width);
                var gx = MemoryMarshal.Cast<byte, float>(gradient.bytes).Slice(c * plane, plane);
                int vw = Vector<float>.Count, i = 0;
                for (; i <= plane - vw; i += vw)
                    (new Vector<float>(muY.Slice(i)) + 2 * new Vector<float>(x.Slice(i)) * new Vector<float>(eyy.Slice(i)) + new Vector<float>(y.Slice(i)) * new Vector<float>(product.Slice(i))).CopyTo(gx.Slice(i));
                for (; i < plane; i++) gx[i] = muY[i] + 2 * x[i] * eyy[i] + y[i] * product[i];
            }
            finally
            {
                pool.Return(buffer);
            }
        });
        return sums.Sum();
    }

    private static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        int vw = Vector<float>.Count, i = 0;
        for (; i <= a.Length - vw; i += vw) (new Vector<float>(a.Slice(i)) * new Vector<float>(b.Slice(i))).CopyTo(output.Slice(i));
        for (; i < a.Length; i++) output[i] = a[i] * b[i];
    }

    /// <summary>sum_q w_q map_q (w empty: <paramref name="uniform"/> everywhere), accumulated in double.</summary>
    private static double MapSum(ReadOnlySpan<float> muX, ReadOnlySpan<float> muY, ReadOnlySpan<float> exx, ReadOnlySpan<float> eyy, ReadOnlySpan<float> exy,
        ReadOnlySpan<float> w, float uniform, float c1, float c2, bool contrastOnly)
    {
        int vw = Vector<float>.Count, i = 0, plane = muX.Length;
        var acc = Vector<double>.Zero;
        var vc1 = new Vector<float>(c1); var vc2 = new Vector<float>(c2); var vu = new Vector<float>(uniform);
        for (; i <= plane - vw; i += vw)
        {
            var mx = new Vector<float>(muX.Slice(i)); var my = new Vector<float>(muY.Slice(i));
            var n = 2 * (new Vector<float>(exy.Slice(i)) - mx * my) + vc2;
            var d = new Vector<float>(exx.Slice(i)) - mx * mx + new Vector<float>(eyy.Slice(i)) - my * my + vc2;
            var map = n / d;
            if (!contrastOnly) map *= (2 * mx * my + vc1) / (mx * mx + my * my + vc1);
            map *= w.IsEmpty ? vu : new Vector<float>(w.Slice(i));
            Vector.Widen(map, out Vector<double> lo, out Vector<double> hi);
            acc += lo + hi;
        }
        double sum = Vector.Sum(acc);
        for (; i < plane; i++)
        {
            float mx = muX[i], my = muY[i];
            float n = 2 * (exy[i] - mx * my) + c2, d = exx[i] - mx * mx + eyy[i] - my * my + c2;
            float map = n / d;
            if (!contrastOnly) map *= (2 * mx * my + c1) / (mx * mx + my * my + c1);
            sum += (double)map * (w.IsEmpty ? uniform : w[i]);
        }
        return sum;
    }

    /// <summary>
    /// Overwrites muX with dL/dmu_x, exx with dL/dE[x²] and exy with dL/dE[xy] (times the upstream gradient and the pixel's weight).
    /// </summary>
    private static void MapGradients(Span<float> muX, ReadOnlySpan<float> muY, Span<float> exx, ReadOnlySpan<float> eyy, Span<float> exy,
        ReadOnlySpan<float> w, float uniform, float upstream, float c1, float c2, bool contrastOnly)
    {
        int vw = Vector<float>.Count, i = 0, plane = muX.Length;
        var vc1 = new Vector<float>(c1); var vc2 = new Vector<float>(c2); var vUp = new Vector<float>(upstream * uniform);
        for (; i <= plane - vw; i += vw)
        {
            var mx = new Vector<float>(muX.Slice(i)); var my = new Vector<float>(muY.Slice(i));
            var d = new Vector<float>(exx.Slice(i)) - mx * mx + new Vector<float>(eyy.Slice(i)) - my * my + vc2;
            var cs = (2 * (new Vector<float>(exy.Slice(i)) - mx * my) + vc2) / d;
            var a = (2 * mx * cs - 2 * my) / d;
            var b = -cs / d;
            var cc = new Vector<float>(2f) / d;
            if (!contrastOnly)
            {
                var bl = mx * mx + my * my + vc1;
                var l = (2 * mx * my + vc1) / bl;
                a = 2 * (my - l * mx) / bl * cs + l * a;
                b *= l;
                cc *= l;
            }
            var scale = w.IsEmpty ? vUp : new Vector<float>(w.Slice(i)) * upstream;
            (a * scale).CopyTo(muX.Slice(i));
            (b * scale).CopyTo(exx.Slice(i));
            (cc * scale).CopyTo(exy.Slice(i));
        }
        for (; i < plane; i++)
        {
            float mx = muX[i], my = muY[i];
            float d = exx[i] - mx * mx + eyy[i] - my * my + c2;
            float cs = (2 * (exy[i] - mx * my) + c2) / d;
            float a = (2 * mx * cs - 2 * my) / d, b = -cs / d, cc = 2 / d;
            if (!contrastOnly)
            {
                float bl = mx * mx + my * my + c1, l = (2 * mx * my + c1) / bl;
                a = 2 * (my - l * mx) / bl * cs + l * a;
                b *= l;
                cc *= l;
            }
            float scale = upstream * (w.IsEmpty ? uniform : w[i]);
            muX[i] = a * scale; exx[i] = b * scale; exy[i] = cc * scale;
        }
    }

    /// <summary>
    /// Zero-padded separable window of an [H, W] plane into <paramref name="output"/>: along the width (into <paramref name="tmp"/>),
    /// then along the height. <paramref name="scratch"/> holds one zero-padded row.
    /// </summary>
    private static void Filter(ReadOnlySpan<float> input, Span<float> output, Span<float> tmp, Span<float> scratch, float[] taps, int height, int width)
    {
        int win = taps.Length, pad = win / 2, vw = Vector<float>.Count;
        var row = scratch.Slice(0, width + 2 * pad);
        row.Slice(0, pad).Clear();
        row.Slice(pad + width, pad).Clear();
        for (int i = 0; i < height; i++)
        {
            input.Slice(i * width, width).CopyTo(row.Slice(pad));
            var o = tmp.Slice(i * width, width);
            int j = 0;
            for (; j <= width - vw; j += vw)
            {
                var acc = Vector<float>.Zero;
                for (int u = 0; u < win; u++) acc += new Vector<float>(row.Slice(j + u)) * taps[u];
                acc.CopyTo(o.Slice(j));
            }
            for (; j < width; j++)
            {
                float acc = 0;
                for (int u = 0; u < win; u++) acc += row[j + u] * taps[u];
                o[j] = acc;
            }
        }
        for (int i = 0; i < height; i++)
        {
            var o = output.Slice(i * width, width);
            o.Clear();
            int lo = Math.Max(0, pad - i), hi = Math.Min(win, height + pad - i);
            for (int u = lo; u < hi; u++)
            {
                var src = tmp.Slice((i + u - pad) * width, width);
                var t = new Vector<float>(taps[u]);
                int j = 0;
                for (; j <= width - vw; j += vw) (new Vector<float>(o.Slice(j)) + new Vector<float>(src.Slice(j)) * t).CopyTo(o.Slice(j));
                for (; j < width; j++) o[j] += src[j] * taps[u];
            }
        }
    }
}
