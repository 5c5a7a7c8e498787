using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Training;

/// <summary>
/// The GaussianAvatars position and scale regularisers of <see cref="GaussianTrainer"/> over the visible Gaussians (M of
/// them) as one fused pass for CPU tensors with an analytic backward (custom autograd function):
/// reg = lp mean_i relu(|mu_i| - tp) + ls mean_i |relu(exp(s_i) - ts)| (|.| the Euclidean norm of a row; 0 when M = 0).
/// Same formulas as the tensor path (index_select of the visible rows, norms, relu, means), evaluated in float64.
/// Backward as torch's: relu passes where its input is positive, a norm's gradient is x / |x| (0 where |x| = 0).
/// Arguments: positions [N,3], log scales [N,3], visible [N] (bool), Settings. Output: the scalar [].
/// </summary>
internal sealed unsafe class BoundRegularisersFunction : torch.autograd.MultiTensorFunction<BoundRegularisersFunction>
{
    /// <summary>Weights and thresholds.</summary>
    public sealed record Settings(double PositionWeight, double PositionThreshold, double ScaleWeight, double ScaleThreshold);

    public override string Name => nameof(BoundRegularisersFunction);

    /// <summary>Whether the fused pass applies (CPU float32/float64 attributes of the same dtype, a bool mask of N).</summary>
    public static bool Supports(Tensor positions, Tensor logScales, Tensor visible) =>
        positions.device_type == DeviceType.CPU && logScales.device_type == DeviceType.CPU && visible.device_type == DeviceType.CPU &&
        positions.dtype is ScalarType.Float32 or ScalarType.Float64 && logScales.dtype == positions.dtype && visible.dtype == ScalarType.Bool &&
        positions.ndim == 2 && positions.shape[1] == 3 && logScales.ndim == 2 && logScales.shape[1] == 3 &&
        logScales.shape[0] == positions.shape[0] && visible.ndim == 1 && visible.shape[0] == positions.shape[0];

    /// <summary>The regulariser value [] (see the class remarks).</summary>
    public static Tensor Apply(Tensor positions, Tensor logScales, Tensor visible, Settings settings) =>
        apply(positions, logScales, visible, settings)[0];

    public override List<Tensor> forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var positions = (Tensor)vars[0]; var logScales = (Tensor)vars[1]; var visible = (Tensor)vars[2];
        var s = (Settings)vars[3];
        using var scope = torch.NewDisposeScope();
        var p = positions.detach().contiguous(); var l = logScales.detach().contiguous(); var v = visible.contiguous();
        double value = p.dtype == ScalarType.Float32 ? Run<float>(p, l, v, s, 0, null, null) : Run<double>(p, l, v, s, 0, null, null);
        ctx.save_for_backward([positions, logScales, visible]);
        ctx.save_data("settings", s);
        return [torch.tensor(value, p.dtype).MoveToOuterDisposeScope()];
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, List<Tensor> gradOutputs)
    {
        var saved = ctx.get_saved_variables();
        var s = (Settings)ctx.get_data("settings");
        using var scope = torch.NewDisposeScope();
        var p = saved[0].detach().contiguous(); var l = saved[1].detach().contiguous(); var v = saved[2].contiguous();
        double upstream = gradOutputs[0] is { } g ? g.to_type(ScalarType.Float64).item<double>() : 0.0;
        var dp = torch.zeros_like(p);
        var dl = torch.zeros_like(l);
        if (p.dtype == ScalarType.Float32) Run<float>(p, l, v, s, upstream, dp, dl);
        else Run<double>(p, l, v, s, upstream, dp, dl);
        return [dp.MoveToOuterDisposeScope(), dl.MoveToOuterDisposeScope(), null!, null!];
    }

    private static TP* Ptr<TP>(Tensor t) where TP : unmanaged =>
        t.numel() == 0 ? null : (TP*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    /// <summary>The value (forward, <paramref name="dPositions"/> null) or the gradients for an upstream gradient (backward).</summary>
    private static double Run<T>(Tensor positions, Tensor logScales, Tensor visible, Settings s, double upstream, Tensor? dPositions, Tensor? dLogScales)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = positions.shape[0];
        T* p = Ptr<T>(positions), l = Ptr<T>(logScales);
        bool* vis = Ptr<bool>(visible);
        long m = 0;
        for (long i = 0; i < n; i++) if (vis[i]) m++;
        if (m == 0) return 0.0;
        T* dp = dPositions is null ? null : Ptr<T>(dPositions);
        T* dl = dLogScales is null ? null : Ptr<T>(dLogScales);
        double cp = upstream * s.PositionWeight / m, cs = upstream * s.ScaleWeight / m;
        double sumP = 0, sumS = 0;
        Span<double> e = stackalloc double[3];
        Span<double> r = stackalloc double[3];
        for (long i = 0; i < n; i++)
        {
            if (!vis[i]) continue;
            double x = double.CreateTruncating(p[3 * i]), y = double.CreateTruncating(p[3 * i + 1]), z = double.CreateTruncating(p[3 * i + 2]);
            double norm = Math.Sqrt(x * x + y * y + z * z);
            double over = norm - s.PositionThreshold;
            if (over > 0)
            {
                sumP += over;
                if (dp is not null && norm > 0)
                {
                    dp[3 * i] = T.CreateTruncating(cp * x / norm);
                    dp[3 * i + 1] = T.CreateTruncating(cp * y / norm);
                    dp[3 * i + 2] = T.CreateTruncating(cp * z / norm);
                }
            }
            double sq = 0;
            for (int j = 0; j < 3; j++)
            {
                // exp in the tensor's precision, as Scales() computes it.
                e[j] = double.CreateTruncating(T.Exp(l[3 * i + j]));
                r[j] = Math.Max(0.0, e[j] - s.ScaleThreshold);
                sq += r[j] * r[j];
            }
            double rn = Math.Sqrt(sq);
            sumS += rn;
            if (dl is not null && rn > 0)
                for (int j = 0; j < 3; j++)
                    if (r[j] > 0) dl[3 * i + j] = T.CreateTruncating(cs * r[j] / rn * e[j]);
        }
        return s.PositionWeight * sumP / m + s.ScaleWeight * sumS / m;
    }
}
