using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Compositing on CPU tensors with multi-threaded managed loops. Tiles run in parallel; inside a tile the Gaussians are
/// visited front to back and each one only touches the pixels inside its radius box (outside it alpha is provably below
/// the skip threshold), while every pixel keeps its own transmittance and "stopped" flag. For each pixel this is exactly the
/// per-pixel loop of the 3DGS CUDA kernel (same order, same skip and stop rules). Backward replays the same visits and
/// uses the forward-order identity  colour behind i = final colour - sum_{j&lt;=i} w_j c_j ; each tile writes the gradient
/// of its own intersections, and a final pass reduces them in intersection order, so results do not depend on thread
/// scheduling. Works for float32 and float64.
/// </summary>
internal sealed unsafe class ManagedCpuCompositorKernel : ICompositorKernel
{
    public (Tensor Image, Tensor Alpha, Tensor? PixelState) Forward(CompositeInputs inputs)
    {
        EnsureCpu(inputs);
        return inputs.Means2d.dtype switch
        {
            ScalarType.Float32 => WithoutState(Forward<float>(inputs)),
            ScalarType.Float64 => WithoutState(Forward<double>(inputs)),
            var t => throw new NotSupportedException($"Managed CPU rasterizer supports float32/float64, not {t}."),
        };
    }

    public CompositeGradients Backward(CompositeInputs inputs, Tensor image, Tensor alpha, Tensor? pixelState, Tensor gradImage, Tensor gradAlpha)
    {
        EnsureCpu(inputs);
        return inputs.Means2d.dtype switch
        {
            ScalarType.Float32 => Backward<float>(inputs, image, alpha, gradImage, gradAlpha),
            ScalarType.Float64 => Backward<double>(inputs, image, alpha, gradImage, gradAlpha),
            var t => throw new NotSupportedException($"Managed CPU rasterizer supports float32/float64, not {t}."),
        };
    }

    private static (Tensor, Tensor, Tensor?) WithoutState((Tensor Image, Tensor Alpha) r) => (r.Image, r.Alpha, null);

    private static void EnsureCpu(CompositeInputs inputs)
    {
        if (inputs.Means2d.device.type != DeviceType.CPU)
            throw new InvalidOperationException("The managed CPU rasterizer backend needs CPU tensors; use TensorOps on other devices.");
    }

    private static TP* Ptr<TP>(Tensor t) where TP : unmanaged
    {
        if (t.numel() == 0) return null;
        // The storage is native memory owned by the tensor (never moved by the GC); callers keep the tensor alive.
        return (TP*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
    }

    private static Tensor Prepare(Tensor t, ScalarType dtype) => t.detach().to_type(dtype).cpu().contiguous();

    /// <summary>Raw views of the prepared (contiguous CPU) inputs; the owning tensors live in the caller's scope.</summary>
    private readonly struct Views<T> where T : unmanaged
    {
        public readonly T* Mu, Con, Op, Feat, Bg;
        public readonly int* Radii;
        public readonly long* Ids, Offsets;
        public readonly int N, D, TilesX, TilesY, TileSize, Width, Height;

        public Views(CompositeInputs inputs, ScalarType dtype, List<Tensor> keepAlive)
        {
            Tensor K(Tensor t) { keepAlive.Add(t); return t; }
            Mu = Ptr<T>(K(Prepare(inputs.Means2d, dtype))); Con = Ptr<T>(K(Prepare(inputs.Conics, dtype)));
            Op = Ptr<T>(K(Prepare(inputs.Opacities, dtype))); Feat = Ptr<T>(K(Prepare(inputs.Features, dtype)));
            Bg = Ptr<T>(K(Prepare(inputs.Background, dtype)));
            Radii = Ptr<int>(K(inputs.Radii.to_type(ScalarType.Int32).cpu().contiguous()));
            Ids = Ptr<long>(K(inputs.Bins.GaussianIds.cpu().contiguous())); Offsets = Ptr<long>(K(inputs.Bins.TileOffsets.cpu().contiguous()));
            N = (int)inputs.Means2d.shape[0]; D = (int)inputs.Channels;
            var b = inputs.Bins;
            TilesX = b.TilesX; TilesY = b.TilesY; TileSize = b.TileSize; Width = b.Width; Height = b.Height;
        }
    }

    /// <summary>Thresholds converted to T.</summary>
    private readonly struct Rules<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public readonly T MaxAlpha, MinAlpha, MinT, Half, One, LogMinAlphaInv;

        public Rules(RasterizerOptions o)
        {
            MaxAlpha = T.CreateChecked(o.MaxAlpha); MinAlpha = T.CreateChecked(o.MinAlpha); MinT = T.CreateChecked(o.MinTransmittance);
            Half = T.CreateChecked(0.5); One = T.One;
            LogMinAlphaInv = T.CreateChecked(-Math.Log(o.MinAlpha)); // alpha < MinAlpha certainly when sigma > ln(opacity) + this + margin
        }
    }

    /// <summary>Per-tile gathered Gaussians in list order, with their pixel boxes clipped to the tile.</summary>
    private sealed class TileCache<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T[] Mx = Array.Empty<T>(), My = Array.Empty<T>(), A = Array.Empty<T>(), B = Array.Empty<T>(), C = Array.Empty<T>(), O = Array.Empty<T>(), F = Array.Empty<T>(), SkipSigma = Array.Empty<T>();
        public int[] X0 = Array.Empty<int>(), X1 = Array.Empty<int>(), Y0 = Array.Empty<int>(), Y1 = Array.Empty<int>();
        // Per-pixel state of the tile.
        public T[] Trans = Array.Empty<T>(), Acc = Array.Empty<T>();
        public bool[] Done = Array.Empty<bool>();
        public double[] G = Array.Empty<double>(), GDotC = Array.Empty<double>(), GAlphaT = Array.Empty<double>(), Prefix = Array.Empty<double>();

        public void Load(in Views<T> v, in Rules<T> r, long begin, int count, int tx0, int ty0, int tx1, int ty1)
        {
            Ensure(ref Mx, count); Ensure(ref My, count); Ensure(ref A, count); Ensure(ref B, count); Ensure(ref C, count); Ensure(ref O, count);
            Ensure(ref SkipSigma, count); Ensure(ref F, count * v.D);
            Ensure(ref X0, count); Ensure(ref X1, count); Ensure(ref Y0, count); Ensure(ref Y1, count);
            T margin = T.CreateChecked(1e-3);
            for (int k = 0; k < count; k++)
            {
                int g = (int)v.Ids[begin + k];
                T mx = v.Mu[2 * g], my = v.Mu[2 * g + 1];
                Mx[k] = mx; My[k] = my;
                A[k] = v.Con[3 * g]; B[k] = v.Con[3 * g + 1]; C[k] = v.Con[3 * g + 2];
                T o = v.Op[g];
                O[k] = o;
                SkipSigma[k] = o > T.Zero ? T.Log(o) + r.LogMinAlphaInv + margin : T.NegativeInfinity;
                for (int d = 0; d < v.D; d++) F[k * v.D + d] = v.Feat[(long)g * v.D + d];
                // Pixel centres i + 0.5 within the per-axis radius: ceil(m - r - 0.5) .. floor(m + r - 0.5).
                double mxd = double.CreateChecked(mx), myd = double.CreateChecked(my);
                int rx = v.Radii[2 * g], ry = v.Radii[2 * g + 1];
                X0[k] = Math.Max(tx0, (int)Math.Ceiling(mxd - rx - 0.5));
                X1[k] = Math.Min(tx1 - 1, (int)Math.Floor(mxd + rx - 0.5));
                Y0[k] = Math.Max(ty0, (int)Math.Ceiling(myd - ry - 0.5));
                Y1[k] = Math.Min(ty1 - 1, (int)Math.Floor(myd + ry - 0.5));
            }
        }

        public void EnsurePixels(int pixels, int d)
        {
            Ensure(ref Trans, pixels); Ensure(ref Acc, pixels * d);
            if (Done.Length < pixels) Done = new bool[pixels];
            EnsureD(ref G, pixels * d); EnsureD(ref GDotC, pixels); EnsureD(ref GAlphaT, pixels); EnsureD(ref Prefix, pixels);
        }

        private static void Ensure<TE>(ref TE[] a, int n)
        {
            if (a.Length >= n) return;
            if (a.Length > 0) ArrayPool<TE>.Shared.Return(a);
            a = ArrayPool<TE>.Shared.Rent(Math.Max(n, 64));
        }

        private static void EnsureD(ref double[] a, int n) => Ensure(ref a, n);

        public void Dispose()
        {
            foreach (var a in new[] { Mx, My, A, B, C, O, F, SkipSigma, Trans, Acc }) if (a.Length > 0) ArrayPool<T>.Shared.Return(a);
            foreach (var a in new[] { X0, X1, Y0, Y1 }) if (a.Length > 0) ArrayPool<int>.Shared.Return(a);
            foreach (var a in new[] { G, GDotC, GAlphaT, Prefix }) if (a.Length > 0) ArrayPool<double>.Shared.Return(a);
        }
    }

    private static ParallelOptions Parallelism(CompositeInputs inputs) => new()
    {
        MaxDegreeOfParallelism = inputs.Options.CpuThreads > 0 ? inputs.Options.CpuThreads : Environment.ProcessorCount,
    };

    private static (Tensor Image, Tensor Alpha) Forward<T>(CompositeInputs inputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dtype = inputs.Means2d.dtype;
        using var scope = torch.NewDisposeScope();
        var keep = new List<Tensor>();
        var v = new Views<T>(inputs, dtype, keep);
        var rules = new Rules<T>(inputs.Options);
        var image = torch.empty(new long[] { v.Height, v.Width, v.D }, dtype);
        var alpha = torch.empty(new long[] { v.Height, v.Width }, dtype);
        nint imgP = (nint)Ptr<T>(image), alpP = (nint)Ptr<T>(alpha);

        Parallel.For(0, v.TilesX * v.TilesY, Parallelism(inputs), () => new TileCache<T>(), (tile, _, cache) =>
        {
            int tx = tile % v.TilesX, ty = tile / v.TilesX;
            int x0 = tx * v.TileSize, y0 = ty * v.TileSize;
            int x1 = Math.Min(x0 + v.TileSize, v.Width), y1 = Math.Min(y0 + v.TileSize, v.Height);
            int tw = x1 - x0, pixels = tw * (y1 - y0), D = v.D;
            long begin = v.Offsets[tile];
            int count = (int)(v.Offsets[tile + 1] - begin);
            cache.EnsurePixels(pixels, D);
            var trans = cache.Trans; var acc = cache.Acc; var done = cache.Done;
            Array.Fill(trans, rules.One, 0, pixels);
            Array.Clear(acc, 0, pixels * D);
            Array.Clear(done, 0, pixels);
            cache.Load(v, rules, begin, count, x0, y0, x1, y1);
            int alive = pixels;
            for (int k = 0; k < count && alive > 0; k++)
            {
                T mx = cache.Mx[k], my = cache.My[k], ca = cache.A[k], cb = cache.B[k], cc = cache.C[k], o = cache.O[k], skip = cache.SkipSigma[k];
                for (int y = cache.Y0[k]; y <= cache.Y1[k]; y++)
                {
                    T dy = T.CreateChecked(y + 0.5) - my;
                    int row = (y - y0) * tw - x0;
                    for (int x = cache.X0[k]; x <= cache.X1[k]; x++)
                    {
                        int p = row + x;
                        if (done[p]) continue;
                        T dx = T.CreateChecked(x + 0.5) - mx;
                        T sigma = rules.Half * (ca * dx * dx + cc * dy * dy) + cb * dx * dy;
                        if (sigma < T.Zero || sigma > skip) continue;
                        T a = T.Min(rules.MaxAlpha, o * T.Exp(-sigma));
                        if (a < rules.MinAlpha) continue;
                        T tr = trans[p];
                        T next = tr * (rules.One - a);
                        if (next <= rules.MinT) { done[p] = true; alive--; continue; }
                        T w = a * tr;
                        for (int d = 0; d < D; d++) acc[p * D + d] += w * cache.F[k * D + d];
                        trans[p] = next;
                    }
                }
            }
            T* img = (T*)imgP; T* al = (T*)alpP;
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                {
                    int p = (y - y0) * tw + (x - x0);
                    long pix = (long)y * v.Width + x;
                    for (int d = 0; d < D; d++) img[pix * D + d] = acc[p * D + d] + trans[p] * v.Bg[d];
                    al[pix] = rules.One - trans[p];
                }
            return cache;
        }, cache => cache.Dispose());

        GC.KeepAlive(keep);
        return (image.MoveToOuterDisposeScope(), alpha.MoveToOuterDisposeScope());
    }

    private static CompositeGradients Backward<T>(CompositeInputs inputs, Tensor imageOut, Tensor alphaOut, Tensor gradImage, Tensor gradAlpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dtype = inputs.Means2d.dtype;
        using var scope = torch.NewDisposeScope();
        var keep = new List<Tensor>();
        var v = new Views<T>(inputs, dtype, keep);
        var rules = new Rules<T>(inputs.Options);
        var cFin = Prepare(imageOut, dtype); var aFin = Prepare(alphaOut, dtype);
        var gImg = Prepare(gradImage, dtype); var gAl = Prepare(gradAlpha, dtype);
        nint cFinP = (nint)Ptr<T>(cFin), aFinP = (nint)Ptr<T>(aFin), gImgP = (nint)Ptr<T>(gImg), gAlP = (nint)Ptr<T>(gAl);
        int stride = 6 + v.D; // mean x, mean y, conic a, b, c, opacity, features
        long m = inputs.Bins.IntersectionCount;
        // Gradient buffers live in native (libtorch) memory: large per-iteration managed arrays would drive the GC, and
        // TorchSharp 0.107 finalizes temporary Scalars that may still be in use by a running native call.
        var perIntersectionT = torch.zeros(new long[] { Math.Max(1, m), stride }, ScalarType.Float64);
        double* perIntersection = Ptr<double>(perIntersectionT);
        nint perP = (nint)perIntersection;

        Parallel.For(0, v.TilesX * v.TilesY, Parallelism(inputs), () => new TileCache<T>(), (tile, _, cache) =>
        {
            long begin = v.Offsets[tile];
            int count = (int)(v.Offsets[tile + 1] - begin);
            if (count == 0) return cache;
            int tx = tile % v.TilesX, ty = tile / v.TilesX;
            int x0 = tx * v.TileSize, y0 = ty * v.TileSize;
            int x1 = Math.Min(x0 + v.TileSize, v.Width), y1 = Math.Min(y0 + v.TileSize, v.Height);
            int tw = x1 - x0, pixels = tw * (y1 - y0), D = v.D;
            cache.EnsurePixels(pixels, D);
            T* cFinal = (T*)cFinP; T* aFinal = (T*)aFinP; T* gI = (T*)gImgP; T* gA = (T*)gAlP;
            var trans = cache.Trans; var done = cache.Done; var g = cache.G; var gDotC = cache.GDotC; var gAT = cache.GAlphaT; var prefix = cache.Prefix;
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                {
                    int p = (y - y0) * tw + (x - x0);
                    long pix = (long)y * v.Width + x;
                    double dot = 0;
                    for (int d = 0; d < D; d++)
                    {
                        double gd = double.CreateChecked(gI[pix * D + d]);
                        g[p * D + d] = gd;
                        dot += gd * double.CreateChecked(cFinal[pix * D + d]);
                    }
                    gDotC[p] = dot;
                    gAT[p] = double.CreateChecked(gA[pix]) * (1.0 - double.CreateChecked(aFinal[pix]));
                    prefix[p] = 0;
                    trans[p] = rules.One;
                    done[p] = false;
                }
            cache.Load(v, rules, begin, count, x0, y0, x1, y1);
            Span<double> gFeat = stackalloc double[D];
            int alive = pixels;
            for (int k = 0; k < count && alive > 0; k++)
            {
                T mx = cache.Mx[k], my = cache.My[k], ca = cache.A[k], cb = cache.B[k], cc = cache.C[k], o = cache.O[k], skip = cache.SkipSigma[k];
                double cad = double.CreateChecked(ca), cbd = double.CreateChecked(cb), ccd = double.CreateChecked(cc);
                double gmx = 0, gmy = 0, gca = 0, gcb = 0, gcc = 0, gop = 0;
                gFeat.Clear();
                for (int y = cache.Y0[k]; y <= cache.Y1[k]; y++)
                {
                    T dy = T.CreateChecked(y + 0.5) - my;
                    int row = (y - y0) * tw - x0;
                    for (int x = cache.X0[k]; x <= cache.X1[k]; x++)
                    {
                        int p = row + x;
                        if (done[p]) continue;
                        T dx = T.CreateChecked(x + 0.5) - mx;
                        T sigma = rules.Half * (ca * dx * dx + cc * dy * dy) + cb * dx * dy;
                        if (sigma < T.Zero || sigma > skip) continue;
                        T ex = T.Exp(-sigma);
                        T raw = o * ex;
                        T a = T.Min(rules.MaxAlpha, raw);
                        if (a < rules.MinAlpha) continue;
                        T tr = trans[p];
                        T next = tr * (rules.One - a);
                        if (next <= rules.MinT) { done[p] = true; alive--; continue; }
                        double ad = double.CreateChecked(a), trd = double.CreateChecked(tr), w = ad * trd;
                        double gf = 0;
                        for (int d = 0; d < D; d++)
                        {
                            double gd = g[p * D + d];
                            gf += gd * double.CreateChecked(cache.F[k * D + d]);
                            gFeat[d] += w * gd;
                        }
                        double pre = prefix[p] + w * gf;
                        prefix[p] = pre;
                        double inv = 1.0 / (1.0 - ad);
                        double dAlpha = trd * gf - (gDotC[p] - pre) * inv + gAT[p] * inv;
                        if (raw < rules.MaxAlpha)
                        {
                            double dSigma = -dAlpha * double.CreateChecked(raw);
                            double dxd = double.CreateChecked(dx), dyd = double.CreateChecked(dy);
                            gmx += -dSigma * (cad * dxd + cbd * dyd);
                            gmy += -dSigma * (cbd * dxd + ccd * dyd);
                            gca += dSigma * 0.5 * dxd * dxd;
                            gcb += dSigma * dxd * dyd;
                            gcc += dSigma * 0.5 * dyd * dyd;
                            gop += dAlpha * double.CreateChecked(ex);
                        }
                        trans[p] = next;
                    }
                }
                double* perIntersection = (double*)perP;
                long gb = (begin + k) * stride;
                perIntersection[gb] = gmx; perIntersection[gb + 1] = gmy;
                perIntersection[gb + 2] = gca; perIntersection[gb + 3] = gcb; perIntersection[gb + 4] = gcc;
                perIntersection[gb + 5] = gop;
                for (int d = 0; d < D; d++) perIntersection[gb + 6 + d] = gFeat[d];
            }
            return cache;
        }, cache => cache.Dispose());

        var totalT = torch.zeros(new long[] { v.N, stride }, ScalarType.Float64);
        double* total = Ptr<double>(totalT);
        for (long i = 0; i < m; i++)
        {
            long src = i * stride, dst = v.Ids[i] * stride;
            for (int c = 0; c < stride; c++) total[dst + c] += perIntersection[src + c];
        }
        GC.KeepAlive(keep);

        var all = totalT.to_type(dtype);
        var dev = inputs.Means2d.device;
        var gMeans = all.narrow(1, 0, 2).contiguous().to(dev);
        var gConics = all.narrow(1, 2, 3).contiguous().to(dev);
        var gOpac = all.select(1, 5).contiguous().to(dev);
        var gFeatAll = all.narrow(1, 6, v.D).contiguous().to(dev);
        return new CompositeGradients(
            gMeans.MoveToOuterDisposeScope(), gConics.MoveToOuterDisposeScope(),
            gOpac.MoveToOuterDisposeScope(), gFeatAll.MoveToOuterDisposeScope());
    }
}
