using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Compositing on CPU tensors, vectorised over the pixels of a tile row (<see cref="ICpuLanes{TSelf,T}"/>: hardware
/// vectors, or one scalar lane when <see cref="RasterizerOptions.CpuSimd"/> is off or the CPU has none) and parallel
/// over tiles. Per pixel the rules are those of <see cref="ManagedCpuCompositorKernel"/> (the 3DGS per-pixel loop: same
/// order, skip and stop rules, each Gaussian limited to its radius box). Forward stores per pixel the final
/// transmittance and the list position where compositing stopped; backward walks each tile's list in reverse from
/// there (as gsplat), recovering the transmittance before each Gaussian as T / (1 - alpha) and the colour behind it as a
/// running sum, so it never replays the forward. Each tile writes the gradients of its own intersections and a final
/// pass reduces them in intersection order: results do not depend on thread scheduling. Buffers come from a
/// <see cref="CpuRasterWorkspace"/> owned by the kernel instance. float32 and float64.
/// </summary>
internal sealed unsafe class SimdCpuCompositorKernel : ICompositorKernel
{
    private readonly CpuRasterWorkspace _workspace = new();

    public (Tensor Image, Tensor Alpha, Tensor? PixelState) Forward(CompositeInputs inputs)
    {
        EnsureCpu(inputs);
        bool simd = inputs.Options.CpuSimd && Vector.IsHardwareAccelerated;
        return (inputs.Means2d.dtype, simd) switch
        {
            (ScalarType.Float32, true) => Forward<float, VectorLanes<float>>(inputs),
            (ScalarType.Float32, false) => Forward<float, ScalarLanes<float>>(inputs),
            (ScalarType.Float64, true) => Forward<double, VectorLanes<double>>(inputs),
            (ScalarType.Float64, false) => Forward<double, ScalarLanes<double>>(inputs),
            var (t, _) => throw new NotSupportedException($"SIMD CPU rasterizer supports float32/float64, not {t}."),
        };
    }

    public CompositeGradients Backward(CompositeInputs inputs, Tensor image, Tensor alpha, Tensor? pixelState, Tensor gradImage, Tensor gradAlpha)
    {
        EnsureCpu(inputs);
        if (pixelState is null) throw new InvalidOperationException("The SIMD CPU kernel's backward needs the pixel state its forward saved.");
        bool simd = inputs.Options.CpuSimd && Vector.IsHardwareAccelerated;
        return (inputs.Means2d.dtype, simd) switch
        {
            (ScalarType.Float32, true) => Backward<float, VectorLanes<float>>(inputs, pixelState, gradImage, gradAlpha),
            (ScalarType.Float32, false) => Backward<float, ScalarLanes<float>>(inputs, pixelState, gradImage, gradAlpha),
            (ScalarType.Float64, true) => Backward<double, VectorLanes<double>>(inputs, pixelState, gradImage, gradAlpha),
            (ScalarType.Float64, false) => Backward<double, ScalarLanes<double>>(inputs, pixelState, gradImage, gradAlpha),
            var (t, _) => throw new NotSupportedException($"SIMD CPU rasterizer supports float32/float64, not {t}."),
        };
    }

    private static void EnsureCpu(CompositeInputs inputs)
    {
        if (inputs.Means2d.device.type != DeviceType.CPU)
            throw new InvalidOperationException("The SIMD CPU rasterizer backend needs CPU tensors; use TensorOps on other devices.");
    }

    private static TP* Ptr<TP>(Tensor t) where TP : unmanaged
    {
        if (t.numel() == 0) return null;
        // Native storage owned by the tensor (never moved by the GC); callers keep the tensor alive.
        return (TP*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
    }

    private static Tensor Prepare(Tensor t, ScalarType dtype) => t.detach().to_type(dtype).cpu().contiguous();

    /// <summary>Raw views of the prepared inputs (the owning tensors are kept alive by the caller's list).</summary>
    private readonly struct Views<T> where T : unmanaged
    {
        public readonly nint Mu, Con, Op, Feat, Bg, Radii, Ids, Offsets, Boxes;
        public readonly int N, D, TilesX, TilesY, TileSize, Width, Height;

        public Views(CompositeInputs inputs, ScalarType dtype, List<Tensor> keepAlive)
        {
            Tensor K(Tensor t) { keepAlive.Add(t); return t; }
            Mu = (nint)Ptr<T>(K(Prepare(inputs.Means2d, dtype))); Con = (nint)Ptr<T>(K(Prepare(inputs.Conics, dtype)));
            Op = (nint)Ptr<T>(K(Prepare(inputs.Opacities, dtype))); Feat = (nint)Ptr<T>(K(Prepare(inputs.Features, dtype)));
            Bg = (nint)Ptr<T>(K(Prepare(inputs.Background, dtype)));
            Radii = (nint)Ptr<int>(K(inputs.Radii.to_type(ScalarType.Int32).cpu().contiguous()));
            Ids = (nint)Ptr<long>(K(inputs.Bins.GaussianIds.cpu().contiguous()));
            Offsets = (nint)Ptr<long>(K(inputs.Bins.TileOffsets.cpu().contiguous()));
            Boxes = inputs.Bins.PixelBoxes is { } boxes ? (nint)Ptr<int>(K(boxes.to_type(ScalarType.Int32).cpu().contiguous())) : 0;
            N = (int)inputs.Means2d.shape[0]; D = (int)inputs.Channels;
            var b = inputs.Bins;
            TilesX = b.TilesX; TilesY = b.TilesY; TileSize = b.TileSize; Width = b.Width; Height = b.Height;
        }
    }

    /// <summary>Pixel rectangle of a tile and its padded row stride.</summary>
    private readonly struct TileRect
    {
        public readonly int X0, Y0, Width, Height, Stride;

        public TileRect(int tile, int tilesX, int tileSize, int imageWidth, int imageHeight, int lanes)
        {
            int tx = tile % tilesX, ty = tile / tilesX;
            X0 = tx * tileSize; Y0 = ty * tileSize;
            Width = Math.Min(X0 + tileSize, imageWidth) - X0;
            Height = Math.Min(Y0 + tileSize, imageHeight) - Y0;
            Stride = (Width + lanes - 1) / lanes * lanes;
        }

        public int Pixels => Stride * Height;
    }

    /// <summary>
    /// The tile loops are compiled fully optimised on their first call: called per tile, they would otherwise run their
    /// first hundreds of calls as tier-0 and on-stack-replacement code until tiered compilation catches up, which on a
    /// loaded machine took seconds (measured in s28: the forward loop went through five versions in a 20-call benchmark).
    /// </summary>
    private const MethodImplOptions HotLoop = MethodImplOptions.AggressiveOptimization;

    private ParallelOptions Parallelism(CompositeInputs inputs) => new()
    {
        MaxDegreeOfParallelism = inputs.Options.CpuThreads > 0 ? inputs.Options.CpuThreads : Environment.ProcessorCount,
    };

    /// <summary>
    /// Everything a tile needs of one Gaussian, computed once per call instead of once per intersection (the tile loops
    /// read it through the list's ids): centre, conic (and its halves), opacity, the largest sigma whose alpha can reach
    /// MinAlpha, and the pixel box: the radius box, or the binning's <see cref="TileBins.PixelBoxes"/> (narrowed to the
    /// alpha footprint) when it made them.
    /// </summary>
    private struct GaussianRecord<T> where T : unmanaged
    {
        public T Mx, My, A, B, C, HalfA, HalfC, O, Skip;
        public int X0, X1, Y0, Y1;
    }

    /// <summary>Gaussians per parallel work item of the records (any size gives the same records; 512 splits 10K evenly over two workers).</summary>
    private const int RecordBlock = 512;

    /// <summary>Fills the per-Gaussian records (parallel over fixed blocks of Gaussians; each record depends on its Gaussian only).</summary>
    private static void PrecomputeGaussians<T>(in Views<T> v, T logInvMinAlpha, GaussianRecord<T>[] records, ParallelOptions parallelism) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint muP = v.Mu, conP = v.Con, opP = v.Op, radiiP = v.Radii, boxesP = v.Boxes;
        int n = v.N;
        Parallel.For(0, (n + RecordBlock - 1) / RecordBlock, parallelism, blk =>
        {
            T* mu = (T*)muP, con = (T*)conP, op = (T*)opP;
            int* radii = (int*)radiiP, boxes = (int*)boxesP;
            T half = T.CreateTruncating(0.5);
            for (int g = blk * RecordBlock, end = Math.Min(n, g + RecordBlock); g < end; g++)
            {
                ref var rec = ref records[g];
                T o = op[g], a = con[3 * g], c = con[3 * g + 2];
                rec.Mx = mu[2 * g]; rec.My = mu[2 * g + 1]; rec.A = a; rec.B = con[3 * g + 1]; rec.C = c;
                rec.HalfA = half * a; rec.HalfC = half * c; rec.O = o;
                // alpha = o exp(-sigma) < MinAlpha for certain beyond ln(o) - ln(MinAlpha) (+ margin for exp rounding).
                rec.Skip = o > T.Zero ? T.Log(o) + logInvMinAlpha : T.NegativeInfinity;
                if (boxes != null)
                {
                    // The binning's boxes: the radius box below narrowed to the alpha footprint's (TileBins.PixelBoxes).
                    rec.X0 = boxes[4 * g]; rec.X1 = boxes[4 * g + 1]; rec.Y0 = boxes[4 * g + 2]; rec.Y1 = boxes[4 * g + 3];
                    continue;
                }
                // Pixel centres i + 0.5 within the per-axis radius: ceil(m - r - 0.5) .. floor(m + r - 0.5).
                double mxd = double.CreateTruncating(rec.Mx), myd = double.CreateTruncating(rec.My);
                int rx = radii[2 * g], ry = radii[2 * g + 1];
                rec.X0 = (int)Math.Ceiling(mxd - rx - 0.5);
                rec.X1 = (int)Math.Floor(mxd + rx - 0.5);
                rec.Y0 = (int)Math.Ceiling(myd - ry - 0.5);
                rec.Y1 = (int)Math.Floor(myd + ry - 0.5);
            }
        });
    }

    private static T LogInvMinAlpha<T>(RasterizerOptions o) where T : unmanaged, IFloatingPointIeee754<T> =>
        o.MinAlpha > 0 ? T.CreateTruncating(-Math.Log(o.MinAlpha) + 1e-3) : T.PositiveInfinity;

    private (Tensor Image, Tensor Alpha, Tensor PixelState) Forward<T, TV>(CompositeInputs inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : unmanaged, ICpuLanes<TV, T>
    {
        var dtype = inputs.Means2d.dtype;
        using var scope = torch.NewDisposeScope();
        var keep = new List<Tensor>();
        var v = new Views<T>(inputs, dtype, keep);
        var o = inputs.Options;
        var image = torch.empty(new long[] { v.Height, v.Width, v.D }, dtype);
        var alpha = torch.empty(new long[] { v.Height, v.Width }, dtype);
        var state = torch.empty(new long[] { v.Height, v.Width, 2 }, dtype); // final transmittance, stop position
        nint imgP = (nint)Ptr<T>(image), alpP = (nint)Ptr<T>(alpha), stP = (nint)Ptr<T>(state);
        T maxAlpha = T.CreateTruncating(o.MaxAlpha), minAlpha = T.CreateTruncating(o.MinAlpha), minT = T.CreateTruncating(o.MinTransmittance);
        var parallelism = Parallelism(inputs);
        var records = _workspace.RentArray<GaussianRecord<T>>(v.N);
        PrecomputeGaussians(v, LogInvMinAlpha<T>(o), records, parallelism);

        Parallel.For(0, v.TilesX * v.TilesY, parallelism, _workspace.RentScratch<T>, (tile, _, s) =>
        {
            var r = new TileRect(tile, v.TilesX, v.TileSize, v.Width, v.Height, TV.Count);
            long begin = ((long*)v.Offsets)[tile];
            int count = (int)(((long*)v.Offsets)[tile + 1] - begin);
            int D = v.D, pixels = r.Pixels;
            s.EnsurePixels(pixels, D);
            Array.Fill(s.Trans, T.One, 0, pixels);
            Array.Clear(s.Done, 0, pixels);
            Array.Fill(s.Stop, T.CreateTruncating(count), 0, pixels);
            Array.Clear(s.Acc, 0, pixels * D);
            CompositeTile<T, TV>(s, r, records, (long*)v.Ids + begin, (T*)v.Feat, count, D, maxAlpha, minAlpha, minT);

            T* img = (T*)imgP, al = (T*)alpP, st = (T*)stP, bg = (T*)v.Bg;
            for (int y = 0; y < r.Height; y++)
                for (int x = 0; x < r.Width; x++)
                {
                    int p = y * r.Stride + x;
                    long pix = (long)(r.Y0 + y) * v.Width + r.X0 + x;
                    T tr = s.Trans[p];
                    for (int d = 0; d < D; d++) img[pix * D + d] = s.Acc[d * pixels + p] + tr * bg[d];
                    al[pix] = T.One - tr;
                    st[2 * pix] = tr;
                    st[2 * pix + 1] = s.Stop[p];
                }
            return s;
        }, _workspace.Return);

        _workspace.ReturnArray(records);
        GC.KeepAlive(keep);
        return (image.MoveToOuterDisposeScope(), alpha.MoveToOuterDisposeScope(), state.MoveToOuterDisposeScope());
    }

    /// <summary>Front-to-back compositing of one tile's list into the scratch pixel state.</summary>
    [MethodImpl(HotLoop)]
    private static void CompositeTile<T, TV>(CpuTileScratch<T> s, in TileRect r, GaussianRecord<T>[] records, long* ids, T* feat, int count, int D, T maxAlpha, T minAlpha, T minT)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : unmanaged, ICpuLanes<TV, T>
    {
        int L = TV.Count, pixels = r.Pixels;
        T half = T.CreateTruncating(0.5);
        TV vMaxA = TV.Create(maxAlpha), vMinA = TV.Create(minAlpha), vMinT = TV.Create(minT), vOne = TV.Create(T.One), vZero = TV.Create(T.Zero);
        TV lanes = TV.Indices;
        ref T trans = ref MemoryMarshal.GetArrayDataReference(s.Trans);
        ref T done = ref MemoryMarshal.GetArrayDataReference(s.Done);
        ref T stop = ref MemoryMarshal.GetArrayDataReference(s.Stop);
        ref T acc = ref MemoryMarshal.GetArrayDataReference(s.Acc);
        for (int k = 0; k < count; k++)
        {
            if ((k & 31) == 31 && AllDone<T, TV>(s.Done, pixels)) break;
            long g = ids[k];
            ref readonly var rec = ref records[g];
            // The radius box clipped to the tile, in tile coordinates.
            int lx0 = Math.Max(0, rec.X0 - r.X0), lx1 = Math.Min(r.Width - 1, rec.X1 - r.X0);
            int ly0 = Math.Max(0, rec.Y0 - r.Y0), ly1 = Math.Min(r.Height - 1, rec.Y1 - r.Y0);
            if (lx0 > lx1 || ly0 > ly1) continue;
            T mx = rec.Mx - T.CreateTruncating(r.X0), my = rec.My - T.CreateTruncating(r.Y0); // tile-local centre
            TV vMx = TV.Create(mx), vHa = TV.Create(rec.HalfA), vO = TV.Create(rec.O), vK = TV.Create(T.CreateTruncating(k)), vSkip = TV.Create(rec.Skip);
            TV vLo = TV.Create(T.CreateTruncating(lx0)), vHi = TV.Create(T.CreateTruncating(lx1));
            T b = rec.B, hc = rec.HalfC;
            T* f = feat + g * D;
            int c0 = lx0 / L, c1 = lx1 / L;
            for (int y = ly0; y <= ly1; y++)
            {
                T dy = T.CreateTruncating(y) + half - my;
                T bdy = b * dy, cdy = hc * dy * dy;
                TV vBdy = TV.Create(bdy), vCdy = TV.Create(cdy);
                for (int c = c0; c <= c1; c++)
                {
                    nuint p = (nuint)(y * r.Stride + c * L);
                    TV xi = TV.Add(TV.Create(T.CreateTruncating(c * L)), lanes); // tile-local pixel x
                    TV dx = TV.Sub(TV.Add(xi, TV.Create(half)), vMx);
                    TV sigma = TV.Add(TV.Mul(dx, TV.Add(TV.Mul(vHa, dx), vBdy)), vCdy);
                    TV dn = TV.Load(ref done, p);
                    // Cheap tests first: in the box, not stopped, 0 <= sigma <= skip (beyond it alpha < MinAlpha for sure).
                    TV valid = TV.AndNot(TV.And(TV.And(TV.GreaterOrEqual(xi, vLo), TV.LessOrEqual(xi, vHi)),
                        TV.And(TV.GreaterOrEqual(sigma, vZero), TV.LessOrEqual(sigma, vSkip))), dn);
                    if (!TV.Any(valid)) continue;
                    TV a = TV.Min(vMaxA, TV.Mul(vO, TV.Exp(TV.Sub(vZero, TV.Max(sigma, vZero)))));
                    valid = TV.And(valid, TV.GreaterOrEqual(a, vMinA));
                    if (!TV.Any(valid)) continue;
                    TV tr = TV.Load(ref trans, p);
                    TV next = TV.Mul(tr, TV.Sub(vOne, a));
                    TV stops = TV.And(valid, TV.LessOrEqual(next, vMinT));
                    if (TV.Any(stops))
                    {
                        TV.Store(TV.Or(dn, stops), ref done, p);
                        TV.Store(TV.Select(stops, vK, TV.Load(ref stop, p)), ref stop, p);
                        valid = TV.AndNot(valid, stops);
                    }
                    TV w = TV.Select(valid, TV.Mul(a, tr), vZero);
                    for (int d = 0; d < D; d++)
                    {
                        nuint q = (nuint)(d * pixels) + p;
                        TV.Store(TV.Add(TV.Load(ref acc, q), TV.Mul(w, TV.Create(f[d]))), ref acc, q);
                    }
                    TV.Store(TV.Select(valid, next, tr), ref trans, p);
                }
            }
        }
    }

    private static bool AllDone<T, TV>(T[] done, int pixels)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : unmanaged, ICpuLanes<TV, T>
    {
        ref T d = ref MemoryMarshal.GetArrayDataReference(done);
        for (int p = 0; p < pixels; p += TV.Count)
            if (!TV.All(TV.Load(ref d, (nuint)p))) return false;
        return true;
    }

    private CompositeGradients Backward<T, TV>(CompositeInputs inputs, Tensor pixelState, Tensor gradImage, Tensor gradAlpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : unmanaged, ICpuLanes<TV, T>
    {
        var dtype = inputs.Means2d.dtype;
        using var scope = torch.NewDisposeScope();
        var keep = new List<Tensor>();
        var v = new Views<T>(inputs, dtype, keep);
        var o = inputs.Options;
        var st = Prepare(pixelState, dtype); var gImg = Prepare(gradImage, dtype); var gAl = Prepare(gradAlpha, dtype);
        nint stP = (nint)Ptr<T>(st), gImgP = (nint)Ptr<T>(gImg), gAlP = (nint)Ptr<T>(gAl);
        T maxAlpha = T.CreateTruncating(o.MaxAlpha), minAlpha = T.CreateTruncating(o.MinAlpha);
        var parallelism = Parallelism(inputs);
        var records = _workspace.RentArray<GaussianRecord<T>>(v.N);
        PrecomputeGaussians(v, LogInvMinAlpha<T>(o), records, parallelism);
        int stride = 6 + v.D; // mean x, mean y, conic a, b, c, opacity, features
        long m = inputs.Bins.IntersectionCount;
        var perIntersection = _workspace.RentArray<T>(m * stride);

        Parallel.For(0, v.TilesX * v.TilesY, parallelism, _workspace.RentScratch<T>, (tile, _, s) =>
        {
            long begin = ((long*)v.Offsets)[tile];
            int count = (int)(((long*)v.Offsets)[tile + 1] - begin);
            if (count == 0) return s;
            var r = new TileRect(tile, v.TilesX, v.TileSize, v.Width, v.Height, TV.Count);
            int D = v.D, pixels = r.Pixels;
            s.EnsurePixels(pixels, D);
            // Padding lanes: transmittance 1, stopped before the first Gaussian, zero gradient.
            Array.Fill(s.Trans, T.One, 0, pixels);
            Array.Clear(s.Stop, 0, pixels);
            Array.Clear(s.G, 0, pixels * D);
            Array.Clear(s.GS, 0, pixels);
            Array.Clear(s.GAT, 0, pixels);
            T* stp = (T*)stP, gI = (T*)gImgP, gA = (T*)gAlP, bg = (T*)v.Bg;
            T maxStop = T.Zero;
            for (int y = 0; y < r.Height; y++)
                for (int x = 0; x < r.Width; x++)
                {
                    int p = y * r.Stride + x;
                    long pix = (long)(r.Y0 + y) * v.Width + r.X0 + x;
                    T tFinal = stp[2 * pix], stopAt = stp[2 * pix + 1];
                    T dot = T.Zero;
                    for (int d = 0; d < D; d++)
                    {
                        T gd = gI[pix * D + d];
                        s.G[d * pixels + p] = gd;
                        dot += gd * bg[d];
                    }
                    s.Trans[p] = tFinal;
                    s.Stop[p] = stopAt;
                    s.GS[p] = tFinal * dot; // gradient . (colour behind the current Gaussian): starts as the background term
                    s.GAT[p] = gA[pix] * tFinal;
                    maxStop = T.Max(maxStop, stopAt);
                }
            int last = Math.Min(count, int.CreateTruncating(maxStop));
            var grads = new Span<T>(perIntersection, (int)(begin * stride), count * stride);
            grads.Clear();
            BackwardTile<T, TV>(s, r, records, (long*)v.Ids + begin, (T*)v.Feat, last, D, stride, grads, maxAlpha, minAlpha);
            return s;
        }, _workspace.Return);

        // Deterministic reduction over intersections (in list order) into per-Gaussian gradients, parallel over
        // gradient columns (each column's sums keep the intersection order, so the result does not depend on threads).
        var gMeans = torch.empty(new long[] { v.N, 2 }, dtype);
        var gConics = torch.empty(new long[] { v.N, 3 }, dtype);
        var gOpacities = torch.empty(new long[] { v.N }, dtype);
        var gFeatures = torch.empty(new long[] { v.N, v.D }, dtype);
        if (v.N > 0)
        {
            var totals = _workspace.RentArray<double>((long)v.N * stride); // column-major: totals[c * N + g]
            nint idsP = v.Ids, gmP = (nint)Ptr<T>(gMeans), gcP = (nint)Ptr<T>(gConics), goP = (nint)Ptr<T>(gOpacities), gfP = (nint)Ptr<T>(gFeatures);
            int n = v.N, groups = Math.Min(stride, parallelism.MaxDegreeOfParallelism);
            Parallel.For(0, groups, parallelism, grp =>
            {
                int cBegin = grp * stride / groups, cEnd = (grp + 1) * stride / groups;
                var tot = new Span<double>(totals, cBegin * n, (cEnd - cBegin) * n);
                tot.Clear();
                long* ids = (long*)idsP;
                for (long i = 0; i < m; i++)
                {
                    long src = i * stride, g = ids[i];
                    for (int c = cBegin; c < cEnd; c++) tot[(c - cBegin) * n + (int)g] += double.CreateTruncating(perIntersection[src + c]);
                }
                for (int c = cBegin; c < cEnd; c++)
                {
                    // Column c of [mean x, mean y, conic a, b, c, opacity, features...] into its output tensor.
                    var (outP, width, col) = c switch
                    {
                        < 2 => (gmP, 2, c),
                        < 5 => (gcP, 3, c - 2),
                        5 => (goP, 1, 0),
                        _ => (gfP, stride - 6, c - 6),
                    };
                    T* outp = (T*)outP;
                    var column = tot.Slice((c - cBegin) * n, n);
                    for (int g = 0; g < n; g++) outp[(long)g * width + col] = T.CreateTruncating(column[g]);
                }
            });
            _workspace.ReturnArray(totals);
        }
        _workspace.ReturnArray(perIntersection);
        _workspace.ReturnArray(records);
        GC.KeepAlive(keep);

        var dev = inputs.Means2d.device;
        return new CompositeGradients(
            gMeans.to(dev).MoveToOuterDisposeScope(),
            gConics.to(dev).MoveToOuterDisposeScope(),
            gOpacities.to(dev).MoveToOuterDisposeScope(),
            gFeatures.to(dev).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Back-to-front walk of one tile's list from the last position any pixel reached. Per pixel, Gaussian k was
    /// composited in forward exactly when it passes the box/sigma/alpha tests and k is before the pixel's stop position.
    /// </summary>
    [MethodImpl(HotLoop)]
    private static void BackwardTile<T, TV>(CpuTileScratch<T> s, in TileRect r, GaussianRecord<T>[] records, long* ids, T* feat, int last, int D, int stride, Span<T> grads, T maxAlpha, T minAlpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : unmanaged, ICpuLanes<TV, T>
    {
        int L = TV.Count, pixels = r.Pixels;
        T half = T.CreateTruncating(0.5);
        TV vMaxA = TV.Create(maxAlpha), vMinA = TV.Create(minAlpha), vOne = TV.Create(T.One), vZero = TV.Create(T.Zero);
        TV lanes = TV.Indices;
        ref T trans = ref MemoryMarshal.GetArrayDataReference(s.Trans);
        ref T stop = ref MemoryMarshal.GetArrayDataReference(s.Stop);
        ref T gs = ref MemoryMarshal.GetArrayDataReference(s.GS);
        ref T gat = ref MemoryMarshal.GetArrayDataReference(s.GAT);
        ref T g = ref MemoryMarshal.GetArrayDataReference(s.G);
        Span<TV> gFeat = stackalloc TV[D];
        for (int k = last - 1; k >= 0; k--)
        {
            long gi = ids[k];
            ref readonly var rec = ref records[gi];
            int lx0 = Math.Max(0, rec.X0 - r.X0), lx1 = Math.Min(r.Width - 1, rec.X1 - r.X0);
            int ly0 = Math.Max(0, rec.Y0 - r.Y0), ly1 = Math.Min(r.Height - 1, rec.Y1 - r.Y0);
            if (lx0 > lx1 || ly0 > ly1) continue;
            T mx = rec.Mx - T.CreateTruncating(r.X0), my = rec.My - T.CreateTruncating(r.Y0);
            TV vMx = TV.Create(mx), vHa = TV.Create(rec.HalfA), vO = TV.Create(rec.O), vK = TV.Create(T.CreateTruncating(k)), vSkip = TV.Create(rec.Skip);
            TV vA = TV.Create(rec.A), vB = TV.Create(rec.B), vC = TV.Create(rec.C);
            TV vLo = TV.Create(T.CreateTruncating(lx0)), vHi = TV.Create(T.CreateTruncating(lx1));
            T b = rec.B, hc = rec.HalfC;
            T* f = feat + gi * D;
            int c0 = lx0 / L, c1 = lx1 / L;
            TV gMx = vZero, gMy = vZero, gXX = vZero, gXY = vZero, gYY = vZero, gOp = vZero;
            gFeat.Fill(vZero);
            for (int y = ly0; y <= ly1; y++)
            {
                T dy = T.CreateTruncating(y) + half - my;
                T bdy = b * dy, cdy = hc * dy * dy;
                TV vDy = TV.Create(dy), vBdy = TV.Create(bdy), vCdy = TV.Create(cdy);
                for (int c = c0; c <= c1; c++)
                {
                    nuint p = (nuint)(y * r.Stride + c * L);
                    TV xi = TV.Add(TV.Create(T.CreateTruncating(c * L)), lanes);
                    TV dx = TV.Sub(TV.Add(xi, TV.Create(half)), vMx);
                    TV sigma = TV.Add(TV.Mul(dx, TV.Add(TV.Mul(vHa, dx), vBdy)), vCdy);
                    TV valid = TV.And(TV.And(TV.GreaterOrEqual(xi, vLo), TV.LessOrEqual(xi, vHi)),
                        TV.And(TV.And(TV.GreaterOrEqual(sigma, vZero), TV.LessOrEqual(sigma, vSkip)), TV.LessThan(vK, TV.Load(ref stop, p))));
                    if (!TV.Any(valid)) continue;
                    TV ex = TV.Exp(TV.Sub(vZero, TV.Max(sigma, vZero))); // sigma < 0 is excluded; keeps exp finite
                    TV raw = TV.Mul(vO, ex);
                    TV a = TV.Min(vMaxA, raw);
                    valid = TV.And(valid, TV.GreaterOrEqual(a, vMinA));
                    if (!TV.Any(valid)) continue;
                    TV tAfter = TV.Load(ref trans, p);
                    TV inv = TV.Div(vOne, TV.Sub(vOne, a));
                    TV tBefore = TV.Mul(tAfter, inv);
                    TV gDotC = vZero;
                    for (int d = 0; d < D; d++)
                        gDotC = TV.Add(gDotC, TV.Mul(TV.Load(ref g, (nuint)(d * pixels) + p), TV.Create(f[d])));
                    TV w = TV.Select(valid, TV.Mul(a, tBefore), vZero);
                    TV gBehind = TV.Load(ref gs, p);
                    TV dAlpha = TV.Add(TV.Mul(tBefore, gDotC), TV.Mul(TV.Sub(TV.Load(ref gat, p), gBehind), inv));
                    TV.Store(TV.Add(gBehind, TV.Mul(w, gDotC)), ref gs, p);
                    TV.Store(TV.Select(valid, tBefore, tAfter), ref trans, p);
                    for (int d = 0; d < D; d++) gFeat[d] = TV.Add(gFeat[d], TV.Mul(w, TV.Load(ref g, (nuint)(d * pixels) + p)));
                    // d alpha / d raw is 0 where the MaxAlpha clamp is active.
                    TV dRaw = TV.Select(TV.And(valid, TV.LessThan(raw, vMaxA)), dAlpha, vZero);
                    TV ds = TV.Mul(dRaw, raw); // = -dL/dsigma
                    gMx = TV.Add(gMx, TV.Mul(ds, TV.Add(TV.Mul(vA, dx), TV.Mul(vB, vDy))));
                    gMy = TV.Add(gMy, TV.Mul(ds, TV.Add(TV.Mul(vB, dx), TV.Mul(vC, vDy))));
                    gXX = TV.Add(gXX, TV.Mul(ds, TV.Mul(dx, dx)));
                    gXY = TV.Add(gXY, TV.Mul(ds, TV.Mul(dx, vDy)));
                    gYY = TV.Add(gYY, TV.Mul(ds, TV.Mul(vDy, vDy)));
                    gOp = TV.Add(gOp, TV.Mul(dRaw, ex));
                }
            }
            var o = grads.Slice(k * stride, stride);
            o[0] = T.CreateTruncating(TV.Sum(gMx));
            o[1] = T.CreateTruncating(TV.Sum(gMy));
            o[2] = T.CreateTruncating(-0.5 * TV.Sum(gXX));
            o[3] = T.CreateTruncating(-TV.Sum(gXY));
            o[4] = T.CreateTruncating(-0.5 * TV.Sum(gYY));
            o[5] = T.CreateTruncating(TV.Sum(gOp));
            for (int d = 0; d < D; d++) o[6 + d] = T.CreateTruncating(TV.Sum(gFeat[d]));
        }
    }
}
