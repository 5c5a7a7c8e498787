using System.Buffers;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Compositing on CPU tensors with multi-threaded managed loops: tiles run in parallel, every pixel walks its
/// tile's depth-sorted list front to back exactly like the 3DGS CUDA kernel (skip alpha under the threshold,
/// stop before transmittance would fall to the threshold). Backward replays each pixel in the same order and
/// uses the forward-order identity  colour behind i = final colour - sum_{j&lt;=i} w_j c_j, accumulating per-Gaussian
/// gradients in per-thread double buffers. Works for float32 and float64.
/// </summary>
internal sealed unsafe class ManagedCpuCompositorKernel : ICompositorKernel
{
    public (Tensor Image, Tensor Alpha) Forward(CompositeInputs inputs)
    {
        EnsureCpu(inputs);
        return inputs.Means2d.dtype switch
        {
            ScalarType.Float32 => Forward<float>(inputs),
            ScalarType.Float64 => Forward<double>(inputs),
            var t => throw new NotSupportedException($"Managed CPU rasterizer supports float32/float64, not {t}."),
        };
    }

    public CompositeGradients Backward(CompositeInputs inputs, Tensor image, Tensor alpha, Tensor gradImage, Tensor gradAlpha)
    {
        EnsureCpu(inputs);
        return inputs.Means2d.dtype switch
        {
            ScalarType.Float32 => Backward<float>(inputs, image, alpha, gradImage, gradAlpha),
            ScalarType.Float64 => Backward<double>(inputs, image, alpha, gradImage, gradAlpha),
            var t => throw new NotSupportedException($"Managed CPU rasterizer supports float32/float64, not {t}."),
        };
    }

    private static void EnsureCpu(CompositeInputs inputs)
    {
        if (inputs.Means2d.device.type != DeviceType.CPU)
            throw new InvalidOperationException("The managed CPU rasterizer backend needs CPU tensors; use TensorOps on other devices.");
    }

    /// <summary>Pinned views of the inputs (contiguous CPU copies kept alive by the owner scope).</summary>
    private readonly struct Views<T> where T : unmanaged
    {
        public readonly T* Mu, Con, Op, Feat, Bg;
        public readonly long* Ids, Offsets;
        public readonly int N, D, TilesX, TilesY, TileSize, Width, Height;

        public Views(CompositeInputs inputs, Tensor mu, Tensor con, Tensor op, Tensor feat, Tensor bg, Tensor ids, Tensor offsets)
        {
            Mu = Ptr<T>(mu); Con = Ptr<T>(con); Op = Ptr<T>(op); Feat = Ptr<T>(feat); Bg = Ptr<T>(bg);
            Ids = Ptr<long>(ids); Offsets = Ptr<long>(offsets);
            N = (int)inputs.Means2d.shape[0]; D = (int)inputs.Channels;
            var b = inputs.Bins;
            TilesX = b.TilesX; TilesY = b.TilesY; TileSize = b.TileSize; Width = b.Width; Height = b.Height;
        }
    }

    private static TP* Ptr<TP>(Tensor t) where TP : unmanaged
    {
        if (t.numel() == 0) return null;
        // The storage is native memory owned by the tensor (never moved by the GC); the caller keeps the tensor alive.
        return (TP*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(t.bytes));
    }

    private static Tensor Prepare(Tensor t, ScalarType dtype) => t.detach().to_type(dtype).cpu().contiguous();

    /// <summary>Per-tile gathered copy of the Gaussians in list order (structure of arrays).</summary>
    private sealed class TileCache<T> : IDisposable where T : unmanaged
    {
        public T[] Mx = Array.Empty<T>(), My = Array.Empty<T>(), A = Array.Empty<T>(), B = Array.Empty<T>(), C = Array.Empty<T>(), O = Array.Empty<T>(), F = Array.Empty<T>();
        public int[] Gid = Array.Empty<int>();

        public void Load(in Views<T> v, long begin, int count)
        {
            Ensure(ref Mx, count); Ensure(ref My, count); Ensure(ref A, count); Ensure(ref B, count); Ensure(ref C, count); Ensure(ref O, count);
            Ensure(ref F, count * v.D);
            if (Gid.Length < count) { if (Gid.Length > 0) ArrayPool<int>.Shared.Return(Gid); Gid = ArrayPool<int>.Shared.Rent(count); }
            for (int k = 0; k < count; k++)
            {
                int g = (int)v.Ids[begin + k];
                Gid[k] = g;
                Mx[k] = v.Mu[2 * g]; My[k] = v.Mu[2 * g + 1];
                A[k] = v.Con[3 * g]; B[k] = v.Con[3 * g + 1]; C[k] = v.Con[3 * g + 2];
                O[k] = v.Op[g];
                for (int d = 0; d < v.D; d++) F[k * v.D + d] = v.Feat[(long)g * v.D + d];
            }
        }

        private static void Ensure(ref T[] a, int n)
        {
            if (a.Length >= n) return;
            if (a.Length > 0) ArrayPool<T>.Shared.Return(a);
            a = ArrayPool<T>.Shared.Rent(Math.Max(n, 64));
        }

        public void Dispose()
        {
            foreach (var a in new[] { Mx, My, A, B, C, O, F }) if (a.Length > 0) ArrayPool<T>.Shared.Return(a);
            if (Gid.Length > 0) ArrayPool<int>.Shared.Return(Gid);
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
        var mu = Prepare(inputs.Means2d, dtype); var con = Prepare(inputs.Conics, dtype); var op = Prepare(inputs.Opacities, dtype);
        var feat = Prepare(inputs.Features, dtype); var bg = Prepare(inputs.Background, dtype);
        var ids = inputs.Bins.GaussianIds.cpu().contiguous(); var offs = inputs.Bins.TileOffsets.cpu().contiguous();
        var v = new Views<T>(inputs, mu, con, op, feat, bg, ids, offs);
        var image = torch.empty(new long[] { v.Height, v.Width, v.D }, dtype);
        var alpha = torch.empty(new long[] { v.Height, v.Width }, dtype);
        T* img = Ptr<T>(image), alp = Ptr<T>(alpha);
        nint imgP = (nint)img, alpP = (nint)alp;
        T maxA = T.CreateChecked(inputs.Options.MaxAlpha), minA = T.CreateChecked(inputs.Options.MinAlpha);
        T minT = T.CreateChecked(inputs.Options.MinTransmittance), half = T.CreateChecked(0.5), one = T.One;

        Parallel.For(0, v.TilesX * v.TilesY, Parallelism(inputs), () => new TileCache<T>(), (tile, _, cache) =>
        {
            int tx = tile % v.TilesX, ty = tile / v.TilesX;
            long begin = v.Offsets[tile];
            int count = (int)(v.Offsets[tile + 1] - begin);
            cache.Load(v, begin, count);
            T* image = (T*)imgP; T* alpha = (T*)alpP;
            Span<T> acc = stackalloc T[v.D];
            int x0 = tx * v.TileSize, y0 = ty * v.TileSize;
            int x1 = Math.Min(x0 + v.TileSize, v.Width), y1 = Math.Min(y0 + v.TileSize, v.Height);
            for (int y = y0; y < y1; y++)
            {
                T py = T.CreateChecked(y + 0.5);
                for (int x = x0; x < x1; x++)
                {
                    T px = T.CreateChecked(x + 0.5);
                    T tr = one;
                    acc.Clear();
                    for (int k = 0; k < count; k++)
                    {
                        T dx = px - cache.Mx[k], dy = py - cache.My[k];
                        T sigma = half * (cache.A[k] * dx * dx + cache.C[k] * dy * dy) + cache.B[k] * dx * dy;
                        if (sigma < T.Zero) continue;
                        T a = T.Min(maxA, cache.O[k] * T.Exp(-sigma));
                        if (a < minA) continue;
                        T next = tr * (one - a);
                        if (next <= minT) break;
                        T w = a * tr;
                        for (int d = 0; d < acc.Length; d++) acc[d] += w * cache.F[k * acc.Length + d];
                        tr = next;
                    }
                    long pix = (long)y * v.Width + x;
                    for (int d = 0; d < acc.Length; d++) image[pix * acc.Length + d] = acc[d] + tr * v.Bg[d];
                    alpha[pix] = one - tr;
                }
            }
            return cache;
        }, cache => cache.Dispose());

        return (image.MoveToOuterDisposeScope(), alpha.MoveToOuterDisposeScope());
    }

    private static CompositeGradients Backward<T>(CompositeInputs inputs, Tensor imageOut, Tensor alphaOut, Tensor gradImage, Tensor gradAlpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dtype = inputs.Means2d.dtype;
        using var scope = torch.NewDisposeScope();
        var mu = Prepare(inputs.Means2d, dtype); var con = Prepare(inputs.Conics, dtype); var op = Prepare(inputs.Opacities, dtype);
        var feat = Prepare(inputs.Features, dtype); var bg = Prepare(inputs.Background, dtype);
        var ids = inputs.Bins.GaussianIds.cpu().contiguous(); var offs = inputs.Bins.TileOffsets.cpu().contiguous();
        var v = new Views<T>(inputs, mu, con, op, feat, bg, ids, offs);
        var cFin = Prepare(imageOut, dtype); var aFin = Prepare(alphaOut, dtype);
        var gImg = Prepare(gradImage, dtype); var gAl = Prepare(gradAlpha, dtype);
        nint cFinP = (nint)Ptr<T>(cFin), aFinP = (nint)Ptr<T>(aFin), gImgP = (nint)Ptr<T>(gImg), gAlP = (nint)Ptr<T>(gAl);
        T maxA = T.CreateChecked(inputs.Options.MaxAlpha), minA = T.CreateChecked(inputs.Options.MinAlpha);
        T minT = T.CreateChecked(inputs.Options.MinTransmittance), half = T.CreateChecked(0.5), one = T.One;
        int stride = 6 + v.D; // mu x, mu y, conic a, b, c, opacity, features
        var total = new double[(long)v.N * stride];
        var gate = new object();

        Parallel.For(0, v.TilesX * v.TilesY, Parallelism(inputs),
            () => (Cache: new TileCache<T>(), Grad: new double[(long)v.N * stride]),
            (tile, _, state) =>
            {
                var (cache, grad) = state;
                int tx = tile % v.TilesX, ty = tile / v.TilesX;
                long begin = v.Offsets[tile];
                int count = (int)(v.Offsets[tile + 1] - begin);
                if (count == 0) return state;
                cache.Load(v, begin, count);
                T* cFinal = (T*)cFinP; T* aFinal = (T*)aFinP; T* gI = (T*)gImgP; T* gA = (T*)gAlP;
                int D = v.D;
                Span<double> g = stackalloc double[D];
                int x0 = tx * v.TileSize, y0 = ty * v.TileSize;
                int x1 = Math.Min(x0 + v.TileSize, v.Width), y1 = Math.Min(y0 + v.TileSize, v.Height);
                for (int y = y0; y < y1; y++)
                {
                    T py = T.CreateChecked(y + 0.5);
                    for (int x = x0; x < x1; x++)
                    {
                        T px = T.CreateChecked(x + 0.5);
                        long pix = (long)y * v.Width + x;
                        double gDotC = 0;
                        for (int d = 0; d < D; d++)
                        {
                            g[d] = double.CreateChecked(gI[pix * D + d]);
                            gDotC += g[d] * double.CreateChecked(cFinal[pix * D + d]);
                        }
                        double gAlphaTFinal = double.CreateChecked(gA[pix]) * (1.0 - double.CreateChecked(aFinal[pix]));
                        double prefix = 0;
                        T tr = one;
                        for (int k = 0; k < count; k++)
                        {
                            T dx = px - cache.Mx[k], dy = py - cache.My[k];
                            T sigma = half * (cache.A[k] * dx * dx + cache.C[k] * dy * dy) + cache.B[k] * dx * dy;
                            if (sigma < T.Zero) continue;
                            T ex = T.Exp(-sigma);
                            T raw = cache.O[k] * ex;
                            T a = T.Min(maxA, raw);
                            if (a < minA) continue;
                            T next = tr * (one - a);
                            if (next <= minT) break;
                            double ad = double.CreateChecked(a), trd = double.CreateChecked(tr), w = ad * trd;
                            double gf = 0;
                            long gb = (long)cache.Gid[k] * stride;
                            for (int d = 0; d < D; d++)
                            {
                                gf += g[d] * double.CreateChecked(cache.F[k * D + d]);
                                grad[gb + 6 + d] += w * g[d];
                            }
                            prefix += w * gf;
                            double inv = 1.0 / (1.0 - ad);
                            double dAlpha = trd * gf - (gDotC - prefix) * inv + gAlphaTFinal * inv;
                            if (raw < maxA)
                            {
                                double rawd = double.CreateChecked(raw);
                                double dSigma = -dAlpha * rawd;
                                double dxd = double.CreateChecked(dx), dyd = double.CreateChecked(dy);
                                double ca = double.CreateChecked(cache.A[k]), cb = double.CreateChecked(cache.B[k]), cc = double.CreateChecked(cache.C[k]);
                                grad[gb] += -dSigma * (ca * dxd + cb * dyd);
                                grad[gb + 1] += -dSigma * (cb * dxd + cc * dyd);
                                grad[gb + 2] += dSigma * 0.5 * dxd * dxd;
                                grad[gb + 3] += dSigma * dxd * dyd;
                                grad[gb + 4] += dSigma * 0.5 * dyd * dyd;
                                grad[gb + 5] += dAlpha * double.CreateChecked(ex);
                            }
                            tr = next;
                        }
                    }
                }
                return state;
            },
            state =>
            {
                state.Cache.Dispose();
                lock (gate)
                {
                    var src = state.Grad;
                    for (long i = 0; i < total.LongLength; i++) total[i] += src[i];
                }
            });

        var all = torch.tensor(total, new long[] { v.N, stride }, ScalarType.Float64).to_type(dtype);
        var dev = inputs.Means2d.device;
        var gMeans = all.narrow(1, 0, 2).contiguous().to(dev);
        var gConics = all.narrow(1, 2, 3).contiguous().to(dev);
        var gOpac = all.select(1, 5).contiguous().to(dev);
        var gFeat = all.narrow(1, 6, v.D).contiguous().to(dev);
        return new CompositeGradients(
            gMeans.MoveToOuterDisposeScope(), gConics.MoveToOuterDisposeScope(),
            gOpac.MoveToOuterDisposeScope(), gFeat.MoveToOuterDisposeScope());
    }
}
