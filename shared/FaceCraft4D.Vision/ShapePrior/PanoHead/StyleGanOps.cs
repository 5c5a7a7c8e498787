using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// The StyleGAN2 operations of the NVlabs code base (EG3D / PanoHead <c>torch_utils.ops</c>) as plain tensor code:
/// FIR filter set-up, <c>upfirdn2d</c> (reference path), <c>conv2d_resample</c>, <c>bias_act</c> and the modulated
/// convolution. Same padding and gain arithmetic as upstream so converted weights give the same activations.
/// </summary>
public static class StyleGanOps
{
    /// <summary>Default activation gain of leaky ReLU (and ReLU): sqrt(2).</summary>
    public static readonly double LeakyReluGain = Math.Sqrt(2);

    /// <summary>
    /// <c>setup_filter</c>: a 1D tap list (fewer than 8 taps) becomes its normalised outer product [fh, fw]
    /// (sum 1), scaled by <paramref name="gain"/>.
    /// </summary>
    public static Tensor SetupFilter(double[] taps, double gain = 1)
    {
        var t = torch.tensor(taps, ScalarType.Float32);
        var f = taps.Length >= 8 ? t : torch.outer(t, t);
        f = f / f.sum();
        return f.Times(Math.Pow(gain, f.ndim / 2.0));
    }

    /// <summary>
    /// <c>upfirdn2d</c>: upsample by zero insertion, pad (negative = crop), convolve with the FIR filter
    /// (flipped unless <paramref name="flipFilter"/>: a true convolution), keep every <paramref name="down"/>-th pixel.
    /// </summary>
    /// <param name="x">[N, C, H, W].</param>
    /// <param name="f">Filter [fh, fw] (float32, any device).</param>
    /// <param name="up">Upsampling factor.</param>
    /// <param name="down">Downsampling factor.</param>
    /// <param name="padding">(x0, x1, y0, y1) with respect to the upsampled image.</param>
    /// <param name="flipFilter">False = convolution, true = correlation.</param>
    /// <param name="gain">Signal gain.</param>
    public static Tensor Upfirdn2d(Tensor x, Tensor f, int up = 1, int down = 1, (int X0, int X1, int Y0, int Y1) padding = default, bool flipFilter = false, double gain = 1)
    {
        using var scope = torch.NewDisposeScope();
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        if (up > 1)
        {
            x = x.reshape(n, c, h, 1, w, 1);
            x = torch.nn.functional.pad(x, new long[] { 0, up - 1, 0, 0, 0, up - 1 });
            x = x.reshape(n, c, h * up, w * up);
        }
        var (px0, px1, py0, py1) = padding;
        x = torch.nn.functional.pad(x, new long[] { Math.Max(px0, 0), Math.Max(px1, 0), Math.Max(py0, 0), Math.Max(py1, 0) });
        x = x[.., .., Math.Max(-py0, 0)..(int)(x.shape[2] - Math.Max(-py1, 0)), Math.Max(-px0, 0)..(int)(x.shape[3] - Math.Max(-px1, 0))];
        var filter = (f.Times(Math.Pow(gain, f.ndim / 2.0))).to(x.dtype, x.device);
        if (!flipFilter) filter = filter.flip(0, 1);
        var weight = filter.unsqueeze(0).unsqueeze(0).repeat(c, 1, 1, 1);
        x = torch.nn.functional.conv2d(x, weight, groups: c);
        if (down > 1) x = x[.., .., TensorIndex.Slice(null, null, down), TensorIndex.Slice(null, null, down)];
        return x.MoveToOuterDisposeScope();
    }

    /// <summary><c>upsample2d</c>: 2x upsampling with the FIR filter, padding chosen to keep the image centred.</summary>
    public static Tensor Upsample2d(Tensor x, Tensor f, int up = 2, double gain = 1)
    {
        int fw = (int)f.shape[^1], fh = (int)f.shape[0];
        return Upfirdn2d(x, f, up: up, padding: ((fw + up - 1) / 2, (fw - up) / 2, (fh + up - 1) / 2, (fh - up) / 2), gain: gain * up * up);
    }

    /// <summary>
    /// <c>conv2d_resample</c>: 2D convolution of <paramref name="x"/> [N, Cin, H, W] with <paramref name="w"/>
    /// [Cout, Cin / groups, kh, kw], optionally upsampled by <paramref name="up"/> through a transposed convolution
    /// followed by the FIR filter (the upstream fast path). Padding refers to the upsampled image.
    /// </summary>
    public static Tensor Conv2dResample(Tensor x, Tensor w, Tensor? f, int up = 1, int down = 1, int padding = 0, int groups = 1, bool flipWeight = true)
    {
        using var scope = torch.NewDisposeScope();
        long outChannels = w.shape[0], inPerGroup = w.shape[1];
        int kh = (int)w.shape[2], kw = (int)w.shape[3];
        int fw = f is null ? 1 : (int)f.shape[^1], fh = f is null ? 1 : (int)f.shape[0];
        int px0 = padding, px1 = padding, py0 = padding, py1 = padding;
        if (up > 1)
        {
            px0 += (fw + up - 1) / 2; px1 += (fw - up) / 2;
            py0 += (fh + up - 1) / 2; py1 += (fh - up) / 2;
        }
        if (down > 1)
        {
            px0 += (fw - down + 1) / 2; px1 += (fw - down) / 2;
            py0 += (fh - down + 1) / 2; py1 += (fh - down) / 2;
        }

        Tensor result;
        if (up > 1)
        {
            Tensor wt;
            if (groups == 1) wt = w.transpose(0, 1);
            else wt = w.reshape(groups, outChannels / groups, inPerGroup, kh, kw).transpose(1, 2).reshape(groups * inPerGroup, outChannels / groups, kh, kw);
            px0 -= kw - 1; px1 -= kw - up; py0 -= kh - 1; py1 -= kh - up;
            int pxt = Math.Max(Math.Min(-px0, -px1), 0), pyt = Math.Max(Math.Min(-py0, -py1), 0);
            // The wrapper flips the kernel for a transposed convolution when the caller asked for correlation.
            if (flipWeight && (kw > 1 || kh > 1)) wt = wt.flip(2, 3);
            result = torch.nn.functional.conv_transpose2d(x, wt, strides: new long[] { up, up }, padding: new long[] { pyt, pxt }, groups: groups);
            result = Upfirdn2d(result, f!, padding: (px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt), gain: up * up);
            if (down > 1) result = Upfirdn2d(result, f!, down: down);
        }
        else if (down == 1 && px0 == px1 && py0 == py1 && px0 >= 0 && py0 >= 0)
        {
            var wk = flipWeight || (kw == 1 && kh == 1) ? w : w.flip(2, 3);
            result = torch.nn.functional.conv2d(x, wk, padding: new long[] { py0, px0 }, groups: groups);
        }
        else
        {
            result = Upfirdn2d(x, f ?? torch.ones(1, 1), padding: (px0, px1, py0, py1));
            var wk = flipWeight || (kw == 1 && kh == 1) ? w : w.flip(2, 3);
            result = torch.nn.functional.conv2d(result, wk, strides: new long[] { down, down }, groups: groups);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary><c>bias_act</c>: add the bias along dim 1, apply the activation, scale by the gain, clamp to +-clamp (negative = off).</summary>
    public static Tensor BiasAct(Tensor x, Tensor? bias, string activation = "linear", double? gain = null, double clamp = -1)
    {
        using var scope = torch.NewDisposeScope();
        if (bias is not null)
        {
            var shape = Enumerable.Repeat(1L, (int)x.ndim).ToArray();
            shape[1] = -1;
            x = x.Plus(bias.reshape(shape));
        }
        double g = gain ?? DefaultGain(activation);
        x = activation switch
        {
            "linear" => x,
            "lrelu" => x.LeakyRelu(0.2),
            "relu" => torch.nn.functional.relu(x),
            "softplus" => x.Softplus(),
            "sigmoid" => torch.sigmoid(x),
            _ => throw new NotSupportedException($"Activation '{activation}' is not supported."),
        };
        if (g != 1) x = x.Times(g);
        if (clamp >= 0) x = x.Clamped(-clamp, clamp);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Default gain of an activation (sqrt(2) for (leaky) ReLU, 1 otherwise).</summary>
    public static double DefaultGain(string activation) => activation is "lrelu" or "relu" ? LeakyReluGain : 1;

    /// <summary><c>normalize_2nd_moment</c> along <paramref name="dim"/>.</summary>
    public static Tensor NormalizeSecondMoment(Tensor x, long dim = 1, double eps = 1e-8) =>
        x * (x.Power(2).mean(new[] { dim }, keepdim: true).Plus(eps)).rsqrt();

    /// <summary>
    /// <c>modulated_conv2d</c>. x [N, Cin, H, W], weight [Cout, Cin, kh, kw], styles [N, Cin]; noise is added after the
    /// convolution. Fused (upstream default in inference): per-sample weights through a grouped convolution; not fused:
    /// the activations are scaled before and after one shared convolution (same result up to rounding).
    /// </summary>
    public static Tensor ModulatedConv2d(Tensor x, Tensor weight, Tensor styles, Tensor? noise = null, int up = 1, int padding = 0,
        Tensor? resampleFilter = null, bool demodulate = true, bool flipWeight = true, bool fused = true)
    {
        using var scope = torch.NewDisposeScope();
        long batch = x.shape[0], outC = weight.shape[0], inC = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3];
        Tensor? w = null, d = null;
        if (demodulate || fused) w = weight.unsqueeze(0) * styles.reshape(batch, 1, -1, 1, 1); // [N, O, I, k, k]
        if (demodulate) d = (w!.Power(2).sum(new long[] { 2, 3, 4 }).Plus(1e-8)).rsqrt(); // [N, O]
        Tensor y;
        if (!fused)
        {
            y = x * styles.to(x.dtype).reshape(batch, -1, 1, 1);
            y = Conv2dResample(y, weight.to(x.dtype), resampleFilter, up: up, padding: padding, flipWeight: flipWeight);
            if (d is not null) y = y * d.to(y.dtype).reshape(batch, -1, 1, 1);
            if (noise is not null) y = y.Plus(noise.to(y.dtype));
            return y.MoveToOuterDisposeScope();
        }
        if (d is not null) w = w! * d.reshape(batch, -1, 1, 1, 1);
        var xs = x.reshape(1, -1, x.shape[2], x.shape[3]);
        var ws = w!.reshape(-1, inC, kh, kw);
        y = Conv2dResample(xs, ws, resampleFilter, up: up, padding: padding, groups: (int)batch, flipWeight: flipWeight);
        y = y.reshape(batch, -1, y.shape[2], y.shape[3]);
        if (noise is not null) y = y.Plus(noise);
        return y.MoveToOuterDisposeScope();
    }
}
