using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FaceCraft4D.Graphics.Cameras;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// <see cref="GaussianProjection.Project"/> fused into one pass per Gaussian for CPU tensors (same formulas, evaluated
/// in float64 per Gaussian), with an analytic backward as a custom autograd function (as gsplat's projection backward):
/// conic -> 2D covariance -> Jacobian and camera covariance -> world covariance -> rotation and scales -> normalised
/// quaternion; means through the camera transform, the Jacobian's clamped tx/ty and the pixel projection. The clamp
/// rules follow torch's (gradient passes where a clamp is inactive, bounds included). Radii are not differentiable.
/// Arguments: means [N,3], quaternions [N,4], scales [N,3], <see cref="Camera"/>, <see cref="RasterizerOptions"/>, threads.
/// Outputs: means2d [N,2], conics [N,3], depths [N], radii [N,2] (int32).
/// </summary>
internal sealed unsafe class FusedProjectionFunction : torch.autograd.MultiTensorFunction<FusedProjectionFunction>
{
    public override string Name => nameof(FusedProjectionFunction);

    /// <summary>Projects Gaussians (CPU float32/float64).</summary>
    public static ProjectedGaussians Project(Tensor means, Tensor quaternions, Tensor scales, Camera camera, RasterizerOptions options, RasterizerPhaseTimes? times = null)
    {
        long n = means.shape[0];
        if (quaternions.ndim != 2 || quaternions.shape[0] != n || quaternions.shape[1] != 4) throw new ArgumentException("Quaternions must be [N, 4].", nameof(quaternions));
        if (scales.ndim != 2 || scales.shape[0] != n || scales.shape[1] != 3) throw new ArgumentException("Scales must be [N, 3].", nameof(scales));
        var o = apply(means, quaternions, scales, new Setup(camera, options, times));
        return new ProjectedGaussians { Means2d = o[0], Conics = o[1], Depths = o[2], Radii = o[3] };
    }

    /// <summary>Camera and option constants of one projection.</summary>
    private sealed class Setup
    {
        public readonly double[] W; // row-major world-to-camera 4x4
        public readonly double Fx, Fy, Cx, Cy, LimXPos, LimXNeg, LimYPos, LimYNeg, Near, Far, LowPass, Sigmas;
        public readonly int Width, Height, Threads;
        public readonly RasterizerPhaseTimes? Times;

        public Setup(Camera camera, RasterizerOptions o, RasterizerPhaseTimes? times)
        {
            Times = times;
            W = camera.Extrinsics.WorldToCamera;
            var k = camera.Intrinsics;
            Fx = k.Fx; Fy = k.Fy; Cx = k.Cx; Cy = k.Cy; Width = k.Width; Height = k.Height;
            double tanFovX = 0.5 * k.Width / Fx, tanFovY = 0.5 * k.Height / Fy;
            LimXPos = (k.Width - Cx) / Fx + 0.3 * tanFovX; LimXNeg = Cx / Fx + 0.3 * tanFovX;
            LimYPos = (k.Height - Cy) / Fy + 0.3 * tanFovY; LimYNeg = Cy / Fy + 0.3 * tanFovY;
            Near = o.NearPlane; Far = o.FarPlane; LowPass = o.LowPassFilter; Sigmas = o.RadiusSigmas;
            Threads = o.CpuThreads > 0 ? o.CpuThreads : Environment.ProcessorCount;
        }
    }

    public override List<Tensor> forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var setup = (Setup)vars[3];
        var dtype = ((Tensor)vars[0]).dtype;
        if (dtype != ScalarType.Float32 && dtype != ScalarType.Float64) throw new NotSupportedException($"Fused projection supports float32/float64, not {dtype}.");
        using var scope = torch.NewDisposeScope();
        var m = ((Tensor)vars[0]).detach().contiguous();
        var q = ((Tensor)vars[1]).detach().to_type(dtype).contiguous();
        var s = ((Tensor)vars[2]).detach().to_type(dtype).contiguous();
        long n = m.shape[0];
        var means2d = torch.empty(new long[] { n, 2 }, dtype);
        var conics = torch.empty(new long[] { n, 3 }, dtype);
        var depths = torch.empty(new long[] { n }, dtype);
        var radii = torch.empty(new long[] { n, 2 }, ScalarType.Int32);
        if (dtype == ScalarType.Float32) Forward<float>(setup, m, q, s, means2d, conics, depths, radii);
        else Forward<double>(setup, m, q, s, means2d, conics, depths, radii);
        // Save the inputs themselves: tensors made in this scope are disposed when it ends.
        ctx.save_for_backward(new List<Tensor> { (Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2] });
        ctx.save_data("setup", setup);
        ctx.mark_non_differentiable(new List<Tensor> { radii });
        return new List<Tensor> { means2d.MoveToOuterDisposeScope(), conics.MoveToOuterDisposeScope(), depths.MoveToOuterDisposeScope(), radii.MoveToOuterDisposeScope() };
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, List<Tensor> gradOutputs)
    {
        var setup = (Setup)ctx.get_data("setup");
        using var phase = setup.Times?.Start(RasterizerPhase.ProjectionBackward);
        var saved = ctx.get_saved_variables();
        using var scope = torch.NewDisposeScope();
        var m = saved[0].detach().contiguous();
        var dtype = m.dtype;
        var q = saved[1].detach().to_type(dtype).contiguous(); var s = saved[2].detach().to_type(dtype).contiguous();
        long n = m.shape[0];
        Tensor G(int i, long[] shape) => gradOutputs[i] is { } g && g.numel() > 0 ? g.to_type(dtype).contiguous() : torch.zeros(shape, dtype);
        var gM2 = G(0, new long[] { n, 2 }); var gCon = G(1, new long[] { n, 3 }); var gDep = G(2, new long[] { n });
        var gMeans = torch.empty_like(m); var gQuats = torch.empty_like(q); var gScales = torch.empty_like(s);
        if (dtype == ScalarType.Float32) Backward<float>(setup, m, q, s, gM2, gCon, gDep, gMeans, gQuats, gScales);
        else Backward<double>(setup, m, q, s, gM2, gCon, gDep, gMeans, gQuats, gScales);
        return new List<Tensor> { gMeans.MoveToOuterDisposeScope(), gQuats.MoveToOuterDisposeScope(), gScales.MoveToOuterDisposeScope(), null! };
    }

    private static TP* Ptr<TP>(Tensor t) where TP : unmanaged =>
        t.numel() == 0 ? null : (TP*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    private const int Block = 1024;

    /// <summary>Per-Gaussian intermediate values shared by forward and backward.</summary>
    private struct State
    {
        public double Qw, Qx, Qy, Qz, QNorm; // normalised quaternion, |q|
        public fixed double R[9];
        public fixed double Sc[3];
        public fixed double CovC[9]; // camera-space covariance
        public double X, Y, Z, Zs, Tx, Ty;
        public bool DepthOk, ClampX, ClampY;
        public double J00, J02, J11, J12;
        public double C00, C11, C01, DetRaw, Det;
    }

    private static void Compute<T>(Setup k, T* m, T* q, T* s, ref State st) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = k.W;
        double qw = double.CreateTruncating(q[0]), qx = double.CreateTruncating(q[1]), qy = double.CreateTruncating(q[2]), qz = double.CreateTruncating(q[3]);
        double qn = Math.Sqrt(qw * qw + qx * qx + qy * qy + qz * qz);
        st.QNorm = qn;
        double inv = 1.0 / Math.Max(qn, 1e-12);
        qw *= inv; qx *= inv; qy *= inv; qz *= inv;
        st.Qw = qw; st.Qx = qx; st.Qy = qy; st.Qz = qz;
        st.R[0] = 1 - 2 * (qy * qy + qz * qz); st.R[1] = 2 * (qx * qy - qw * qz); st.R[2] = 2 * (qx * qz + qw * qy);
        st.R[3] = 2 * (qx * qy + qw * qz); st.R[4] = 1 - 2 * (qx * qx + qz * qz); st.R[5] = 2 * (qy * qz - qw * qx);
        st.R[6] = 2 * (qx * qz - qw * qy); st.R[7] = 2 * (qy * qz + qw * qx); st.R[8] = 1 - 2 * (qx * qx + qy * qy);
        for (int j = 0; j < 3; j++) st.Sc[j] = double.CreateTruncating(s[j]);
        // A = W3 R S (camera-space factor), covariance = A A^T.
        Span<double> a = stackalloc double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                a[i * 3 + j] = (w[i * 4] * st.R[j] + w[i * 4 + 1] * st.R[3 + j] + w[i * 4 + 2] * st.R[6 + j]) * st.Sc[j];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                st.CovC[i * 3 + j] = a[i * 3] * a[j * 3] + a[i * 3 + 1] * a[j * 3 + 1] + a[i * 3 + 2] * a[j * 3 + 2];
        double mx = double.CreateTruncating(m[0]), my = double.CreateTruncating(m[1]), mz = double.CreateTruncating(m[2]);
        st.X = w[0] * mx + w[1] * my + w[2] * mz + w[3];
        st.Y = w[4] * mx + w[5] * my + w[6] * mz + w[7];
        st.Z = w[8] * mx + w[9] * my + w[10] * mz + w[11];
        st.DepthOk = st.Z > k.Near && st.Z < k.Far;
        double zs = st.DepthOk ? st.Z : 1.0;
        st.Zs = zs;
        double ux = st.X / zs, uy = st.Y / zs;
        st.ClampX = ux < -k.LimXNeg || ux > k.LimXPos;
        st.ClampY = uy < -k.LimYNeg || uy > k.LimYPos;
        st.Tx = zs * Math.Clamp(ux, -k.LimXNeg, k.LimXPos);
        st.Ty = zs * Math.Clamp(uy, -k.LimYNeg, k.LimYPos);
        st.J00 = k.Fx / zs; st.J02 = -k.Fx * st.Tx / (zs * zs); st.J11 = k.Fy / zs; st.J12 = -k.Fy * st.Ty / (zs * zs);
        // cov2d = J CovC J^T with J = [[J00, 0, J02], [0, J11, J12]].
        double c00 = st.J00 * st.J00 * st.CovC[0] + 2 * st.J00 * st.J02 * st.CovC[2] + st.J02 * st.J02 * st.CovC[8];
        double c11 = st.J11 * st.J11 * st.CovC[4] + 2 * st.J11 * st.J12 * st.CovC[5] + st.J12 * st.J12 * st.CovC[8];
        double c01 = st.J00 * st.J11 * st.CovC[1] + st.J00 * st.J12 * st.CovC[2] + st.J02 * st.J11 * st.CovC[5] + st.J02 * st.J12 * st.CovC[8];
        st.C00 = c00 + k.LowPass; st.C11 = c11 + k.LowPass; st.C01 = c01;
        st.DetRaw = st.C00 * st.C11 - st.C01 * st.C01;
        st.Det = Math.Max(st.DetRaw, 1e-10);
    }

    private static void Forward<T>(Setup k, Tensor means, Tensor quats, Tensor scales, Tensor means2d, Tensor conics, Tensor depths, Tensor radii)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = means.shape[0];
        nint mp = (nint)Ptr<T>(means), qp = (nint)Ptr<T>(quats), sp = (nint)Ptr<T>(scales);
        nint m2p = (nint)Ptr<T>(means2d), cp = (nint)Ptr<T>(conics), dp = (nint)Ptr<T>(depths), rp = (nint)Ptr<int>(radii);
        Parallel.For(0, (n + Block - 1) / Block, new ParallelOptions { MaxDegreeOfParallelism = k.Threads }, blk =>
        {
            var st = new State();
            T* m2 = (T*)m2p, con = (T*)cp, dep = (T*)dp; int* rad = (int*)rp;
            for (long i = blk * Block, end = Math.Min(n, i + Block); i < end; i++)
            {
                Compute(k, (T*)mp + 3 * i, (T*)qp + 4 * i, (T*)sp + 3 * i, ref st);
                double u = k.Fx * st.X / st.Zs + k.Cx, v = k.Fy * st.Y / st.Zs + k.Cy;
                m2[2 * i] = T.CreateTruncating(u); m2[2 * i + 1] = T.CreateTruncating(v);
                con[3 * i] = T.CreateTruncating(st.C11 / st.Det); con[3 * i + 1] = T.CreateTruncating(-st.C01 / st.Det); con[3 * i + 2] = T.CreateTruncating(st.C00 / st.Det);
                dep[i] = T.CreateTruncating(st.Z);
                double rx = Math.Ceiling(k.Sigmas * Math.Sqrt(Math.Max(st.C00, 0))), ry = Math.Ceiling(k.Sigmas * Math.Sqrt(Math.Max(st.C11, 0)));
                bool keep = st.DepthOk && st.DetRaw > 0 && u + rx > 0 && u - rx < k.Width && v + ry > 0 && v - ry < k.Height;
                rad[2 * i] = keep ? (int)rx : 0; rad[2 * i + 1] = keep ? (int)ry : 0;
            }
        });
    }

    private static void Backward<T>(Setup k, Tensor means, Tensor quats, Tensor scales, Tensor gMeans2d, Tensor gConics, Tensor gDepths,
        Tensor gMeans, Tensor gQuats, Tensor gScales) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = means.shape[0];
        nint mp = (nint)Ptr<T>(means), qp = (nint)Ptr<T>(quats), sp = (nint)Ptr<T>(scales);
        nint gm2p = (nint)Ptr<T>(gMeans2d), gcp = (nint)Ptr<T>(gConics), gdp = (nint)Ptr<T>(gDepths);
        nint gmp = (nint)Ptr<T>(gMeans), gqp = (nint)Ptr<T>(gQuats), gsp = (nint)Ptr<T>(gScales);
        var w = k.W;
        Parallel.For(0, (n + Block - 1) / Block, new ParallelOptions { MaxDegreeOfParallelism = k.Threads }, blk =>
        {
            var st = new State();
            Span<double> jr0 = stackalloc double[3], jr1 = stackalloc double[3], gR = stackalloc double[9]; // no per-Gaussian allocation
            Span<double> gCov = stackalloc double[9], gSig = stackalloc double[9], m3 = stackalloc double[9], gM = stackalloc double[9], t3 = stackalloc double[9];
            T* gm2 = (T*)gm2p, gc = (T*)gcp, gd = (T*)gdp, gm = (T*)gmp, gq = (T*)gqp, gs = (T*)gsp;
            for (long i = blk * Block, end = Math.Min(n, i + Block); i < end; i++)
            {
                Compute(k, (T*)mp + 3 * i, (T*)qp + 4 * i, (T*)sp + 3 * i, ref st);
                double ga = double.CreateTruncating(gc[3 * i]), gb = double.CreateTruncating(gc[3 * i + 1]), gcc = double.CreateTruncating(gc[3 * i + 2]);
                // Conic (c11, -c01, c00) / det.
                double det = st.Det, d2 = det * det;
                double g00, g11, g01;
                if (st.DetRaw >= 1e-10)
                {
                    double a00 = st.C00, a11 = st.C11, a01 = st.C01;
                    g00 = ga * (-a11 * a11 / d2) + gb * (a01 * a11 / d2) + gcc * (1 / det - a00 * a11 / d2);
                    g11 = ga * (1 / det - a11 * a00 / d2) + gb * (a01 * a00 / d2) + gcc * (-a00 * a00 / d2);
                    g01 = ga * (2 * a11 * a01 / d2) + gb * (-1 / det - 2 * a01 * a01 / d2) + gcc * (2 * a00 * a01 / d2);
                }
                else
                {
                    g00 = gcc / det; g11 = ga / det; g01 = -gb / det;
                }
                // Symmetric gradient of cov2d: [[g00, g01/2], [g01/2, g11]]; J = [[J00, 0, J02], [0, J11, J12]].
                double h = 0.5 * g01;
                // gCovC = J^T G J (3x3).
                jr0[0] = st.J00; jr0[1] = 0; jr0[2] = st.J02;
                jr1[0] = 0; jr1[1] = st.J11; jr1[2] = st.J12;
                for (int r = 0; r < 3; r++)
                    for (int c = 0; c < 3; c++)
                        gCov[r * 3 + c] = jr0[r] * (g00 * jr0[c] + h * jr1[c]) + jr1[r] * (h * jr0[c] + g11 * jr1[c]);
                // gJ = 2 G J CovC.
                double gJ00 = 0, gJ02 = 0, gJ11 = 0, gJ12 = 0;
                {
                    // (J CovC) rows
                    double p00 = st.J00 * st.CovC[0] + st.J02 * st.CovC[6], p02 = st.J00 * st.CovC[2] + st.J02 * st.CovC[8];
                    double p10 = st.J11 * st.CovC[3] + st.J12 * st.CovC[6], p12 = st.J11 * st.CovC[5] + st.J12 * st.CovC[8];
                    double p01 = st.J00 * st.CovC[1] + st.J02 * st.CovC[7], p11 = st.J11 * st.CovC[4] + st.J12 * st.CovC[7];
                    gJ00 = 2 * (g00 * p00 + h * p10); gJ02 = 2 * (g00 * p02 + h * p12);
                    gJ11 = 2 * (h * p01 + g11 * p11); gJ12 = 2 * (h * p02 + g11 * p12);
                }
                double zs = st.Zs, z2 = zs * zs, z3 = z2 * zs;
                double gZs = -k.Fx / z2 * gJ00 + 2 * k.Fx * st.Tx / z3 * gJ02 - k.Fy / z2 * gJ11 + 2 * k.Fy * st.Ty / z3 * gJ12;
                double gTx = -k.Fx / z2 * gJ02, gTy = -k.Fy / z2 * gJ12;
                double gX = 0, gY = 0, gZ = 0;
                if (st.ClampX) gZs += st.Tx / zs * gTx; else gX += gTx;
                if (st.ClampY) gZs += st.Ty / zs * gTy; else gY += gTy;
                double gu = double.CreateTruncating(gm2[2 * i]), gv = double.CreateTruncating(gm2[2 * i + 1]);
                gX += k.Fx / zs * gu; gY += k.Fy / zs * gv;
                gZs += -k.Fx * st.X / z2 * gu - k.Fy * st.Y / z2 * gv;
                gZ += double.CreateTruncating(gd[i]);
                if (st.DepthOk) gZ += gZs;
                // Means: p_cam = W3 mean + t.
                gm[3 * i] = T.CreateTruncating(w[0] * gX + w[4] * gY + w[8] * gZ);
                gm[3 * i + 1] = T.CreateTruncating(w[1] * gX + w[5] * gY + w[9] * gZ);
                gm[3 * i + 2] = T.CreateTruncating(w[2] * gX + w[6] * gY + w[10] * gZ);
                // World covariance: gSigma = W3^T gCov W3.
                for (int r = 0; r < 3; r++)
                    for (int c = 0; c < 3; c++)
                        t3[r * 3 + c] = gCov[r * 3] * w[c] + gCov[r * 3 + 1] * w[4 + c] + gCov[r * 3 + 2] * w[8 + c]; // gCov W3
                for (int r = 0; r < 3; r++)
                    for (int c = 0; c < 3; c++)
                        gSig[r * 3 + c] = w[r] * t3[c] + w[4 + r] * t3[3 + c] + w[8 + r] * t3[6 + c];
                // Sigma = M M^T, M = R diag(s): gM = 2 gSigma M (gSigma symmetric).
                for (int r = 0; r < 3; r++)
                    for (int c = 0; c < 3; c++) m3[r * 3 + c] = st.R[r * 3 + c] * st.Sc[c];
                for (int r = 0; r < 3; r++)
                    for (int c = 0; c < 3; c++)
                        gM[r * 3 + c] = (gSig[r * 3] + gSig[r]) * m3[c] + (gSig[r * 3 + 1] + gSig[3 + r]) * m3[3 + c] + (gSig[r * 3 + 2] + gSig[6 + r]) * m3[6 + c];
                for (int c = 0; c < 3; c++)
                {
                    double gsc = 0;
                    for (int r = 0; r < 3; r++) { gR[r * 3 + c] = gM[r * 3 + c] * st.Sc[c]; gsc += gM[r * 3 + c] * st.R[r * 3 + c]; }
                    gs[3 * i + c] = T.CreateTruncating(gsc);
                }
                double qw = st.Qw, qx = st.Qx, qy = st.Qy, qz = st.Qz;
                double gw = 2 * (-qz * gR[1] + qy * gR[2] + qz * gR[3] - qx * gR[5] - qy * gR[6] + qx * gR[7]);
                double gx = 2 * (qy * gR[1] + qz * gR[2] + qy * gR[3] - 2 * qx * gR[4] - qw * gR[5] + qz * gR[6] + qw * gR[7] - 2 * qx * gR[8]);
                double gy = 2 * (-2 * qy * gR[0] + qx * gR[1] + qw * gR[2] + qx * gR[3] + qz * gR[5] - qw * gR[6] + qz * gR[7] - 2 * qy * gR[8]);
                double gz = 2 * (-2 * qz * gR[0] - qw * gR[1] + qx * gR[2] + qw * gR[3] - 2 * qz * gR[4] + qy * gR[5] + qx * gR[6] + qy * gR[7]);
                // Through q / max(|q|, eps).
                double nrm = Math.Max(st.QNorm, 1e-12), dot = qw * gw + qx * gx + qy * gy + qz * gz;
                bool normActive = st.QNorm >= 1e-12;
                gq[4 * i] = T.CreateTruncating((gw - (normActive ? qw * dot : 0)) / nrm);
                gq[4 * i + 1] = T.CreateTruncating((gx - (normActive ? qx * dot : 0)) / nrm);
                gq[4 * i + 2] = T.CreateTruncating((gy - (normActive ? qy * dot : 0)) / nrm);
                gq[4 * i + 3] = T.CreateTruncating((gz - (normActive ? qz * dot : 0)) / nrm);
            }
        });
    }
}
