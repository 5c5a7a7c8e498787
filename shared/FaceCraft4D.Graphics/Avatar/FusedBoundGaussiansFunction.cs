using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Avatar;

/// <summary>
/// <see cref="FlameGaussianAvatar.Evaluate"/>'s world-space Gaussians from fixed (posed and cached) triangle frames, fused into
/// one pass per Gaussian for CPU tensors with an analytic backward (custom autograd function). Same formulas as the tensor
/// path, evaluated in float64 per Gaussian: with b = binding[i], frame rotation R_b, scale k_b, centroid T_b, quaternion q_b:
/// mean = k_b R_b mu + T_b; quaternion = q_b (x) r / max(|r|, 1e-12); scale = k_b exp(s); opacity = sigmoid(o).
/// Backward: d mu = k_b R_b^T g_mean; d s = g_scale scale; d o = g_opacity opacity (1 - opacity); d r through the quaternion
/// product (L(q_b)^T g_quat) and the normalisation ((d - u (u . d)) / |r|, or d / 1e-12 where the clamp is active).
/// Replaces about 50 small tensor operations and their autograd nodes. The frames get no gradient (cached frames are
/// constants). Arguments: positions [N,3], rotations [N,4], log scales [N,3], opacity logits [N], binding [N] (int64),
/// frame centroids [F,3], rotations [F,3,3], scales [F], quaternions [F,4]. Outputs: means [N,3], unit quaternions [N,4],
/// scales [N,3], opacities [N].
/// </summary>
internal sealed unsafe class FusedBoundGaussiansFunction : torch.autograd.MultiTensorFunction<FusedBoundGaussiansFunction>
{
    private const double NormalizeEpsilon = 1e-12;

    public override string Name => nameof(FusedBoundGaussiansFunction);

    /// <summary>Whether the fused pass applies: CPU float32/float64 parameters, frames of the same dtype, no gradient into the frames.</summary>
    public static bool Supports(GaussianParameters p, PosedTriangleCache.Entry frames)
    {
        var dtype = p.Positions.dtype;
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64) || p.Binding is null) return false;
        foreach (var t in (ReadOnlySpan<Tensor>)[p.Positions, p.Rotations, p.LogScales, p.OpacityLogits, frames.Centers, frames.Rotations, frames.Scales, frames.Quaternions])
            if (t.device_type != DeviceType.CPU || t.dtype != dtype) return false;
        return !frames.Centers.requires_grad && !frames.Rotations.requires_grad && !frames.Scales.requires_grad && !frames.Quaternions.requires_grad;
    }

    /// <summary>World-space means [N,3], unit quaternions [N,4], scales [N,3] and opacities [N] (see the class remarks).</summary>
    public static (Tensor Means, Tensor Quaternions, Tensor Scales, Tensor Opacities) Apply(GaussianParameters p, PosedTriangleCache.Entry frames)
    {
        var o = apply(p.Positions, p.Rotations, p.LogScales, p.OpacityLogits, p.Binding!, frames.Centers, frames.Rotations, frames.Scales, frames.Quaternions);
        return (o[0], o[1], o[2], o[3]);
    }

    public override List<Tensor> forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var t = vars.Select(v => (Tensor)v).ToArray();
        using var scope = torch.NewDisposeScope();
        var c = Contiguous(t);
        long n = c[0].shape[0];
        var dtype = c[0].dtype;
        var means = torch.empty([n, 3], dtype);
        var quats = torch.empty([n, 4], dtype);
        var scales = torch.empty([n, 3], dtype);
        var opacities = torch.empty([n], dtype);
        if (dtype == ScalarType.Float32) Forward<float>(c, means, quats, scales, opacities);
        else Forward<double>(c, means, quats, scales, opacities);
        // Save the inputs themselves: tensors made in this scope are disposed when it ends (the backward recomputes exp and sigmoid).
        ctx.save_for_backward([.. t]);
        return [means.MoveToOuterDisposeScope(), quats.MoveToOuterDisposeScope(), scales.MoveToOuterDisposeScope(), opacities.MoveToOuterDisposeScope()];
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, List<Tensor> gradOutputs)
    {
        var saved = ctx.get_saved_variables();
        using var scope = torch.NewDisposeScope();
        var c = Contiguous(saved.Take(9).ToArray());
        long n = c[0].shape[0];
        var dtype = c[0].dtype;
        Tensor G(int i, long[] shape) => gradOutputs.Count > i && gradOutputs[i] is { } g ? g.to_type(dtype).contiguous() : torch.zeros(shape, dtype);
        var gMeans = G(0, [n, 3]); var gQuats = G(1, [n, 4]); var gScales = G(2, [n, 3]); var gOpacities = G(3, [n]);
        var dPositions = torch.empty([n, 3], dtype);
        var dRotations = torch.empty([n, 4], dtype);
        var dLogScales = torch.empty([n, 3], dtype);
        var dLogits = torch.empty([n], dtype);
        if (dtype == ScalarType.Float32)
            Backward<float>(c, gMeans, gQuats, gScales, gOpacities, dPositions, dRotations, dLogScales, dLogits);
        else
            Backward<double>(c, gMeans, gQuats, gScales, gOpacities, dPositions, dRotations, dLogScales, dLogits);
        return [dPositions.MoveToOuterDisposeScope(), dRotations.MoveToOuterDisposeScope(), dLogScales.MoveToOuterDisposeScope(), dLogits.MoveToOuterDisposeScope(),
            null!, null!, null!, null!, null!];
    }

    /// <summary>Detached contiguous views of the 9 inputs (binding as int64).</summary>
    private static Tensor[] Contiguous(Tensor[] t)
    {
        var c = new Tensor[9];
        for (int i = 0; i < 9; i++) c[i] = t[i].detach().contiguous();
        c[4] = c[4].to_type(ScalarType.Int64);
        long n = c[0].shape[0], f = c[5].shape[0];
        if (c[1].shape[0] != n || c[2].shape[0] != n || c[3].shape[0] != n || c[4].shape[0] != n) throw new ArgumentException("Gaussian attributes and binding must have N rows.");
        if (c[6].shape[0] != f || c[7].shape[0] != f || c[8].shape[0] != f) throw new ArgumentException("Triangle frames must have F rows.");
        return c;
    }

    private static TP* Ptr<TP>(Tensor t) where TP : unmanaged =>
        t.numel() == 0 ? null : (TP*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    private static double D<T>(T v) where T : unmanaged, IFloatingPointIeee754<T> => double.CreateTruncating(v);

    private static void Forward<T>(Tensor[] c, Tensor means, Tensor quats, Tensor scales, Tensor opacities) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = c[0].shape[0];
        T* mu = Ptr<T>(c[0]), rot = Ptr<T>(c[1]), ls = Ptr<T>(c[2]), logit = Ptr<T>(c[3]);
        long* bind = Ptr<long>(c[4]);
        T* fc = Ptr<T>(c[5]), fr = Ptr<T>(c[6]), fk = Ptr<T>(c[7]), fq = Ptr<T>(c[8]);
        T* om = Ptr<T>(means), oq = Ptr<T>(quats), os = Ptr<T>(scales), oo = Ptr<T>(opacities);
        long f = c[5].shape[0];
        for (long i = 0; i < n; i++)
        {
            long b = bind[i];
            if ((ulong)b >= (ulong)f) throw new ArgumentException($"Gaussian {i} is bound to triangle {b}; the frames have {f}.");
            T* r = fr + 9 * b;
            double k = D(fk[b]);
            double m0 = D(mu[3 * i]), m1 = D(mu[3 * i + 1]), m2 = D(mu[3 * i + 2]);
            for (int row = 0; row < 3; row++)
                om[3 * i + row] = T.CreateTruncating((D(r[3 * row]) * m0 + D(r[3 * row + 1]) * m1 + D(r[3 * row + 2]) * m2) * k + D(fc[3 * b + row]));
            Normalize(rot + 4 * i, out double uw, out double ux, out double uy, out double uz, out _);
            T* a = fq + 4 * b;
            double aw = D(a[0]), ax = D(a[1]), ay = D(a[2]), az = D(a[3]);
            oq[4 * i] = T.CreateTruncating(aw * uw - ax * ux - ay * uy - az * uz);
            oq[4 * i + 1] = T.CreateTruncating(aw * ux + ax * uw + ay * uz - az * uy);
            oq[4 * i + 2] = T.CreateTruncating(aw * uy - ax * uz + ay * uw + az * ux);
            oq[4 * i + 3] = T.CreateTruncating(aw * uz + ax * uy - ay * ux + az * uw);
            for (int j = 0; j < 3; j++) os[3 * i + j] = T.CreateTruncating(Math.Exp(D(ls[3 * i + j])) * k);
            oo[i] = T.CreateTruncating(1.0 / (1.0 + Math.Exp(-D(logit[i]))));
        }
    }

    /// <summary>r / max(|r|, eps) for a quaternion r (4 values), and the clamped norm.</summary>
    private static void Normalize<T>(T* r, out double w, out double x, out double y, out double z, out double norm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double rw = D(r[0]), rx = D(r[1]), ry = D(r[2]), rz = D(r[3]);
        norm = Math.Max(Math.Sqrt(rw * rw + rx * rx + ry * ry + rz * rz), NormalizeEpsilon);
        w = rw / norm; x = rx / norm; y = ry / norm; z = rz / norm;
    }

    private static void Backward<T>(Tensor[] c, Tensor gMeans, Tensor gQuats, Tensor gScales, Tensor gOpacities,
        Tensor dPositions, Tensor dRotations, Tensor dLogScales, Tensor dLogits) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = c[0].shape[0];
        T* rot = Ptr<T>(c[1]), ls = Ptr<T>(c[2]), logit = Ptr<T>(c[3]);
        long* bind = Ptr<long>(c[4]);
        T* fr = Ptr<T>(c[6]), fk = Ptr<T>(c[7]), fq = Ptr<T>(c[8]);
        T* gm = Ptr<T>(gMeans), gq = Ptr<T>(gQuats), gs = Ptr<T>(gScales), go = Ptr<T>(gOpacities);
        T* dm = Ptr<T>(dPositions), dr = Ptr<T>(dRotations), ds = Ptr<T>(dLogScales), dl = Ptr<T>(dLogits);
        for (long i = 0; i < n; i++)
        {
            long b = bind[i];
            T* r = fr + 9 * b;
            double k = D(fk[b]);
            double g0 = D(gm[3 * i]), g1 = D(gm[3 * i + 1]), g2 = D(gm[3 * i + 2]);
            for (int col = 0; col < 3; col++)
                dm[3 * i + col] = T.CreateTruncating(k * (D(r[col]) * g0 + D(r[3 + col]) * g1 + D(r[6 + col]) * g2));
            // d unit = L(a)^T g for the product a (x) unit = L(a) unit.
            T* a = fq + 4 * b;
            double aw = D(a[0]), ax = D(a[1]), ay = D(a[2]), az = D(a[3]);
            double qw = D(gq[4 * i]), qx = D(gq[4 * i + 1]), qy = D(gq[4 * i + 2]), qz = D(gq[4 * i + 3]);
            double dw = aw * qw + ax * qx + ay * qy + az * qz;
            double dx = -ax * qw + aw * qx + az * qy - ay * qz;
            double dy = -ay * qw - az * qx + aw * qy + ax * qz;
            double dz = -az * qw + ay * qx - ax * qy + aw * qz;
            Normalize(rot + 4 * i, out double uw, out double ux, out double uy, out double uz, out double norm);
            double rawNorm = Math.Sqrt(D(rot[4 * i]) * D(rot[4 * i]) + D(rot[4 * i + 1]) * D(rot[4 * i + 1]) + D(rot[4 * i + 2]) * D(rot[4 * i + 2]) + D(rot[4 * i + 3]) * D(rot[4 * i + 3]));
            // Where the clamp is active the norm is a constant: the gradient is d / eps (torch's clamp_min passes at the bound).
            double proj = rawNorm >= NormalizeEpsilon ? uw * dw + ux * dx + uy * dy + uz * dz : 0.0;
            dr[4 * i] = T.CreateTruncating((dw - uw * proj) / norm);
            dr[4 * i + 1] = T.CreateTruncating((dx - ux * proj) / norm);
            dr[4 * i + 2] = T.CreateTruncating((dy - uy * proj) / norm);
            dr[4 * i + 3] = T.CreateTruncating((dz - uz * proj) / norm);
            for (int j = 0; j < 3; j++) ds[3 * i + j] = T.CreateTruncating(D(gs[3 * i + j]) * Math.Exp(D(ls[3 * i + j])) * k);
            double o = 1.0 / (1.0 + Math.Exp(-D(logit[i])));
            dl[i] = T.CreateTruncating(D(go[i]) * o * (1 - o));
        }
    }
}
