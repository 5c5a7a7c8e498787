using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin;

/// <summary>
/// The centred hidden activation of COIN's MLP in one pass per row, with an analytic backward (custom autograd function):
/// <c>D = relu(S + P_v) - (1/V) sum_k relu(S + P_k)</c> for the shared pre-activation S [N, H], the per-view rows P [V, H]
/// and the training view v. Replaces the sort / binary-search / gather formulation (about 20 tensor operations and their
/// autograd nodes over [H, N]) by a vectorised loop over the V views of each row. Backward, with the ReLU's gradient 0 at 0
/// (torch's rule): <c>dS = G (1[S + P_v &gt; 0] - cnt / V)</c> with cnt the views whose <c>S + P_k &gt; 0</c>, and
/// <c>dP_k = sum_n G (δ_kv 1[S + P_v &gt; 0] - 1[S + P_k &gt; 0] / V)</c>. CPU float32 only.
/// </summary>
internal sealed class CentredReluFunction : torch.autograd.MultiTensorFunction<CentredReluFunction>
{
    private const int Block = 1024;

    public override string Name => nameof(CentredReluFunction);

    /// <summary>True when the fused kernel can run on these tensors (CPU float32).</summary>
    public static bool Supports(Tensor shared, Tensor perView) =>
        shared.device_type == DeviceType.CPU && perView.device_type == DeviceType.CPU &&
        shared.dtype == ScalarType.Float32 && perView.dtype == ScalarType.Float32;

    /// <summary>D [N, H] for S [N, H], P [V, H] and view index <paramref name="view"/>.</summary>
    public static Tensor Apply(Tensor shared, Tensor perView, int view)
    {
        if (shared.ndim != 2 || perView.ndim != 2 || shared.shape[1] != perView.shape[1])
            throw new ArgumentException($"Need S [N, H] and P [V, H], got [{string.Join(", ", shared.shape)}] and [{string.Join(", ", perView.shape)}].");
        if (view < 0 || view >= perView.shape[0]) throw new ArgumentOutOfRangeException(nameof(view));
        return apply(shared, perView, view)[0];
    }

    public override List<Tensor> forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var shared = (Tensor)vars[0];
        var perView = (Tensor)vars[1];
        int view = (int)vars[2];
        using var scope = torch.NewDisposeScope();
        var s = shared.detach().contiguous();
        var p = perView.detach().contiguous();
        long n = s.shape[0];
        int h = (int)s.shape[1], v = (int)p.shape[0];
        var output = torch.empty([n, h], ScalarType.Float32);
        float[] rows = MemoryMarshal.Cast<byte, float>(p.bytes).ToArray();
        Parallel.For(0, (n + Block - 1) / Block, block =>
        {
            var sv = MemoryMarshal.Cast<byte, float>(s.bytes);
            var ov = MemoryMarshal.Cast<byte, float>(output.bytes);
            long end = Math.Min(n, (block + 1) * Block);
            for (long i = block * Block; i < end; i++)
                ForwardRow(sv.Slice((int)(i * h), h), rows, v, view, ov.Slice((int)(i * h), h));
        });
        ctx.save_for_backward([shared, perView]);
        ctx.save_data("view", view);
        return [output.MoveToOuterDisposeScope()];
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, List<Tensor> gradOutputs)
    {
        var saved = ctx.get_saved_variables();
        int view = (int)ctx.get_data("view");
        using var scope = torch.NewDisposeScope();
        var s = saved[0].detach().contiguous();
        var p = saved[1].detach().contiguous();
        long n = s.shape[0];
        int h = (int)s.shape[1], v = (int)p.shape[0];
        var gradS = torch.zeros([n, h], ScalarType.Float32);
        if (gradOutputs[0] is null || n == 0)
            return [gradS.MoveToOuterDisposeScope(), torch.zeros([v, h], ScalarType.Float32).MoveToOuterDisposeScope(), null!];
        var g = gradOutputs[0].to_type(ScalarType.Float32).contiguous();
        float[] rows = MemoryMarshal.Cast<byte, float>(p.bytes).ToArray();
        int blocks = (int)((n + Block - 1) / Block);
        var partial = new double[blocks][];
        Parallel.For(0, blocks, block =>
        {
            var sv = MemoryMarshal.Cast<byte, float>(s.bytes);
            var gv = MemoryMarshal.Cast<byte, float>(g.bytes);
            var dv = MemoryMarshal.Cast<byte, float>(gradS.bytes);
            var acc = new float[v * h];
            long end = Math.Min(n, (block + 1) * Block);
            for (long i = block * Block; i < end; i++)
                BackwardRow(sv.Slice((int)(i * h), h), gv.Slice((int)(i * h), h), rows, v, view, dv.Slice((int)(i * h), h), acc);
            var sum = new double[v * h];
            for (int j = 0; j < sum.Length; j++) sum[j] = acc[j];
            partial[block] = sum;
        });
        var total = new float[v * h];
        for (int j = 0; j < total.Length; j++)
        {
            double t = 0;
            for (int b = 0; b < blocks; b++) t += partial[b][j];
            total[j] = (float)t;
        }
        var gradP = torch.tensor(total, [v, h], ScalarType.Float32);
        return [gradS.MoveToOuterDisposeScope(), gradP.MoveToOuterDisposeScope(), null!];
    }

    /// <summary>out = relu(s + P_view) - mean_k relu(s + P_k) for one row.</summary>
    private static void ForwardRow(ReadOnlySpan<float> s, float[] rows, int views, int view, Span<float> output)
    {
        int h = s.Length, w = Vector<float>.Count, j = 0;
        float inv = 1f / views;
        var vInv = new Vector<float>(inv);
        for (; j <= h - w; j += w)
        {
            var sj = new Vector<float>(s.Slice(j));
            var sum = Vector<float>.Zero;
            for (int k = 0; k < views; k++) sum += Vector.Max(sj + new Vector<float>(rows, k * h + j), Vector<float>.Zero);
            var own = Vector.Max(sj + new Vector<float>(rows, view * h + j), Vector<float>.Zero);
            (own - sum * vInv).CopyTo(output.Slice(j));
        }
        for (; j < h; j++)
        {
            float sum = 0;
            for (int k = 0; k < views; k++) sum += MathF.Max(s[j] + rows[k * h + j], 0f);
            output[j] = MathF.Max(s[j] + rows[view * h + j], 0f) - sum * inv;
        }
    }

    /// <summary>dS for one row, and the row's contribution to dP added to <paramref name="gradRows"/> [V, H].</summary>
    private static void BackwardRow(ReadOnlySpan<float> s, ReadOnlySpan<float> g, float[] rows, int views, int view, Span<float> gradS, float[] gradRows)
    {
        int h = s.Length, w = Vector<float>.Count, j = 0;
        float inv = 1f / views;
        var vInv = new Vector<float>(inv);
        for (; j <= h - w; j += w)
        {
            var sj = new Vector<float>(s.Slice(j));
            var gj = new Vector<float>(g.Slice(j));
            var gMean = gj * vInv;
            var count = Vector<float>.Zero;
            for (int k = 0; k < views; k++)
            {
                var active = Vector.GreaterThan(sj + new Vector<float>(rows, k * h + j), Vector<float>.Zero);
                var activeF = Vector.ConditionalSelect(active, Vector<float>.One, Vector<float>.Zero);
                count += activeF;
                var acc = new Vector<float>(gradRows, k * h + j) - gMean * activeF;
                acc.CopyTo(gradRows, k * h + j);
            }
            var ownActive = Vector.ConditionalSelect(Vector.GreaterThan(sj + new Vector<float>(rows, view * h + j), Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero);
            (new Vector<float>(gradRows, view * h + j) + gj * ownActive).CopyTo(gradRows, view * h + j);
            (gj * ownActive - gMean * count).CopyTo(gradS.Slice(j));
        }
        for (; j < h; j++)
        {
            float gMean = g[j] * inv, count = 0;
            for (int k = 0; k < views; k++)
            {
                if (s[j] + rows[k * h + j] > 0f)
                {
                    count += 1;
                    gradRows[k * h + j] -= gMean;
                }
            }
            float own = s[j] + rows[view * h + j] > 0f ? 1f : 0f;
            gradRows[view * h + j] += g[j] * own;
            gradS[j] = g[j] * own - gMean * count;
        }
    }
}
