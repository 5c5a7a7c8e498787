using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Compositing on CPU tensors, vectorised over pixels (gsplat-style: the lanes hold pixels, not a Gaussian's box row) and
/// parallel over tiles. A tile is cut into chunks of <see cref="Chunk"/> = 8 pixels of a row; its depth-sorted list is
/// taken in blocks of <see cref="Block"/> Gaussians, each block sorted into per-chunk lists (the Gaussians whose radius
/// box covers the chunk), and every chunk walks its list with its pixels' transmittance, stop flag and colour in
/// registers (<see cref="ICpuLanes{TSelf,T}"/>: hardware vectors of 8 or 4 lanes, or one scalar lane when
/// <see cref="RasterizerOptions.CpuSimd"/> is off or the CPU has none). A chunk stops when all its pixels have. Per pixel
/// the rules are those of <see cref="ManagedCpuCompositorKernel"/> (the 3DGS per-pixel loop: same order, skip and stop
/// rules, each Gaussian limited to its radius box). Forward stores per pixel the final transmittance and the list
/// position where compositing stopped; backward walks the same per-chunk lists in reverse from there (as gsplat),
/// recovering the transmittance before each Gaussian as T / (1 - alpha) and the colour behind it as a running sum, so it
/// never replays the forward. A Gaussian's gradient terms are summed per lane (pixel x mod 8) in a fixed chunk order and
/// the 8 lanes in one fixed order, each tile writes the gradients of its own intersections, and a final pass reduces
/// them in intersection order: results depend neither on thread scheduling nor on the vector width. Buffers come from a
/// <see cref="CpuRasterWorkspace"/> owned by the kernel instance. float32 and float64.
/// </summary>
internal sealed unsafe class SimdCpuCompositorKernel : ICompositorKernel
{
    /// <summary>Pixels per chunk: the lanes a Gaussian's gradient terms are summed over before the fixed-order lane sum.</summary>
    internal const int Chunk = 8;

    /// <summary>Gaussians of a tile list sorted into per-chunk lists at a time (bounds the list memory; lets saturated tiles stop early).</summary>
    private const int Block = 64;

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
        public readonly nint Mu, Con, Op, Feat, Bg, Radii, Ids, Offsets;
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
            N = (int)inputs.Means2d.shape[0]; D = (int)inputs.Channels;
            var b = inputs.Bins;
            TilesX = b.TilesX; TilesY = b.TilesY; TileSize = b.TileSize; Width = b.Width; Height = b.Height;
        }
    }

    /// <summary>Pixel rectangle of a tile, its row stride padded to whole chunks, and its chunk count.</summary>
    private readonly struct TileRect
    {
        public readonly int X0, Y0, Width, Height, Stride;

        public TileRect(int tile, int tilesX, int tileSize, int imageWidth, int imageHeight)
        {
            int tx = tile % tilesX, ty = tile / tilesX;
            X0 = tx * tileSize; Y0 = ty * tileSize;
            Width = Math.Min(X0 + tileSize, imageWidth) - X0;
            Height = Math.Min(Y0 + tileSize, imageHeight) - Y0;
            Stride = (Width + Chunk - 1) / Chunk * Chunk;
        }

        public int Pixels => Stride * Height;

        /// <summary>Chunks of <see cref="Chunk"/> pixels in a row.</summary>
        public int ChunksPerRow => Stride / Chunk;

        /// <summary>Rows whose chunks fit one 64-bit chunk mask (the tile is processed in bands of them).</summary>
        public int BandRows => Math.Max(1, 64 / ChunksPerRow);
    }

    private ParallelOptions Parallelism(CompositeInputs inputs) => new()
    {
        MaxDegreeOfParallelism = inputs.Options.CpuThreads > 0 ? inputs.Options.CpuThreads : Environment.ProcessorCount,
    };

    /// <summary>
    /// Per-Gaussian values every tile's <see cref="Gather{T}"/> needs, computed once per call instead of once per
    /// intersection: the largest sigma whose alpha can reach MinAlpha, the radius box in image pixels, and the ellipse
    /// sigma &lt;= bound, with the bound = the skip sigma widened by 5 % + 1e-4 (far beyond the float rounding of the
    /// kernel's sigma), written as (dx + r dy)^2 &lt;= p - q dy^2: p = 2 bound / a, q = (a c - b^2) / a^2, r = b / a
    /// (p = +inf: no bound, the box alone).
    /// </summary>
    private static void PrecomputeGaussians<T>(in Views<T> v, T logInvMinAlpha, T[] skip, int[] box, double[] chord) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* mu = (T*)v.Mu, op = (T*)v.Op, con = (T*)v.Con;
        int* radii = (int*)v.Radii;
        for (int g = 0; g < v.N; g++)
        {
            T o = op[g];
            // alpha = o exp(-sigma) < MinAlpha for certain beyond ln(o) - ln(MinAlpha) (+ margin for exp rounding).
            skip[g] = o > T.Zero ? T.Log(o) + logInvMinAlpha : T.NegativeInfinity;
            // Pixel centres i + 0.5 within the per-axis radius: ceil(m - r - 0.5) .. floor(m + r - 0.5).
            double mxd = double.CreateTruncating(mu[2 * g]), myd = double.CreateTruncating(mu[2 * g + 1]);
            int rx = radii[2 * g], ry = radii[2 * g + 1];
            box[4 * g] = (int)Math.Ceiling(mxd - rx - 0.5);
            box[4 * g + 1] = (int)Math.Floor(mxd + rx - 0.5);
            box[4 * g + 2] = (int)Math.Ceiling(myd - ry - 0.5);
            box[4 * g + 3] = (int)Math.Floor(myd + ry - 0.5);
            double a = double.CreateTruncating(con[3 * g]), b = double.CreateTruncating(con[3 * g + 1]), c = double.CreateTruncating(con[3 * g + 2]);
            double bound = 1.05 * double.CreateTruncating(skip[g]) + 1e-4, det = a * c - b * b;
            bool usable = double.IsFinite(bound) && a > 0 && det > 0 && double.IsFinite(det);
            chord[3 * g] = usable ? 2 * bound / a : double.PositiveInfinity;
            chord[3 * g + 1] = usable ? det / (a * a) : 0;
            chord[3 * g + 2] = usable ? b / a : 0;
        }
    }

    /// <summary>
    /// Gathers a tile's Gaussians (list order) with their centres and pixel boxes clipped to the tile, in tile coordinates.
    /// </summary>
    private static void Gather<T>(CpuTileScratch<T> s, in Views<T> v, long begin, int count, in TileRect r, T[] skip, int[] box, double[] chord) where T : unmanaged, IFloatingPointIeee754<T>
    {
        s.EnsureGaussians(count, v.D);
        T* mu = (T*)v.Mu, con = (T*)v.Con, op = (T*)v.Op, feat = (T*)v.Feat;
        long* ids = (long*)v.Ids;
        T half = T.CreateTruncating(0.5), x0 = T.CreateTruncating(r.X0), y0 = T.CreateTruncating(r.Y0);
        int d = v.D;
        for (int k = 0; k < count; k++)
        {
            long g = ids[begin + k];
            T mx = mu[2 * g] - x0, my = mu[2 * g + 1] - y0, a = con[3 * g], b = con[3 * g + 1], c = con[3 * g + 2];
            for (int j = 0; j < d; j++) s.F[k * d + j] = feat[g * d + j];
            s.Chord[3 * k] = chord[3 * g]; s.Chord[3 * k + 1] = chord[3 * g + 1]; s.Chord[3 * k + 2] = chord[3 * g + 2];
            int bx0 = s.X0[k] = Math.Max(0, box[4 * g] - r.X0);
            int bx1 = s.X1[k] = Math.Min(r.Width - 1, box[4 * g + 1] - r.X0);
            s.Y0[k] = Math.Max(0, box[4 * g + 2] - r.Y0);
            s.Y1[k] = Math.Min(r.Height - 1, box[4 * g + 3] - r.Y0);
            s.G8[k] = new TileGaussian<T>
            {
                Mx = mx, My = my, A = a, B = b, C = c, HalfA = half * a, HalfC = half * c, O = op[g], Skip = skip[g],
                XLo = T.CreateTruncating(bx0), XHi = T.CreateTruncating(bx1),
            };
        }
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
        var skip = _workspace.RentArray<T>(v.N);
        var box = _workspace.RentArray<int>(4L * v.N);
        var chord = _workspace.RentArray<double>(3L * v.N);
        PrecomputeGaussians(v, LogInvMinAlpha<T>(o), skip, box, chord);

        Parallel.For(0, v.TilesX * v.TilesY, Parallelism(inputs), _workspace.RentScratch<T>, (tile, _, s) =>
        {
            var r = new TileRect(tile, v.TilesX, v.TileSize, v.Width, v.Height);
            long begin = ((long*)v.Offsets)[tile];
            int count = (int)(((long*)v.Offsets)[tile + 1] - begin);
            int D = v.D, pixels = r.Pixels;
            s.EnsurePixels(pixels, D);
            s.EnsureChunks(Block);
            Array.Fill(s.Trans, T.One, 0, pixels);
            Array.Fill(s.Stop, T.CreateTruncating(count), 0, pixels);
            Array.Clear(s.Acc, 0, pixels * D);
            // Padding lanes (beyond the image's right edge) count as stopped, so a chunk ends when its real pixels do.
            for (int y = 0; y < r.Height; y++)
            {
                Array.Clear(s.Done, y * r.Stride, r.Width);
                Array.Fill(s.Done, T.NaN, y * r.Stride + r.Width, r.Stride - r.Width);
            }
            Gather(s, v, begin, count, r, skip, box, chord);
            for (int yb = 0; yb < r.Height; yb += r.BandRows)
            {
                int ye = Math.Min(r.Height, yb + r.BandRows);
                ulong live = LowBits((ye - yb) * r.ChunksPerRow);
                for (int k0 = 0; k0 < count && live != 0; k0 += Block)
                {
                    int k1 = Math.Min(count, k0 + Block);
                    ulong touched = ChunkMasks(s, k0, k1, yb, ye, r.ChunksPerRow);
                    live &= ~CompositeBlock<T, TV>(s, r, k0, k1, yb, live & touched, D, maxAlpha, minAlpha, minT);
                }
            }

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

        _workspace.ReturnArray(skip);
        _workspace.ReturnArray(box);
        _workspace.ReturnArray(chord);
        GC.KeepAlive(keep);
        return (image.MoveToOuterDisposeScope(), alpha.MoveToOuterDisposeScope(), state.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Chunk masks of the tile's Gaussians [k0, k1) for the band of tile rows [yb, ye): bit (y - yb) * chunksPerRow + c
    /// of Masks[k - k0] is set when chunk (y, c) holds a pixel of the Gaussian's box (clipped to the tile) where its sigma
    /// may be within the widened skip bound: per row the chord (dx + r dy)^2 &lt;= p - q dy^2 of that ellipse (see
    /// <see cref="PrecomputeGaussians{T}"/>), a chunk kept when its pixel nearest the chord's centre is within the chord's
    /// half width + 1e-3 px (compared squared). A chunk left out has no pixel where the Gaussian could be composited, so
    /// the result is the same as with the whole box. Returns the union of the masks.
    /// </summary>
    private static ulong ChunkMasks<T>(CpuTileScratch<T> s, int k0, int k1, int yb, int ye, int chunksPerRow) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ulong union = 0;
        var masks = s.Masks;
        for (int k = k0; k < k1; k++)
        {
            int x0 = s.X0[k], x1 = s.X1[k], y0 = Math.Max(yb, s.Y0[k]), y1 = Math.Min(ye - 1, s.Y1[k]);
            ulong m = 0;
            if (x0 <= x1 && y0 <= y1)
            {
                int c0 = x0 / Chunk, c1 = x1 / Chunk;
                ulong cols = LowBits(c1 + 1) & ~LowBits(c0);
                double p = s.Chord[3 * k], q = s.Chord[3 * k + 1], r = s.Chord[3 * k + 2];
                if (double.IsPositiveInfinity(p))
                {
                    for (int y = y0; y <= y1; y++) m |= cols << ((y - yb) * chunksPerRow);
                }
                else
                {
                    ref readonly var g = ref s.G8[k];
                    double mxh = double.CreateTruncating(g.Mx) - 0.5, myh = double.CreateTruncating(g.My) - 0.5;
                    for (int y = y0; y <= y1; y++)
                    {
                        double dy = y - myh, h2 = p - q * dy * dy;
                        if (h2 < 0) continue;
                        double centre = mxh - r * dy; // pixel x where dx + r dy = 0
                        ulong row = 0;
                        for (int c = c0; c <= c1; c++)
                        {
                            int xa = Math.Max(x0, c * Chunk), xb = Math.Min(x1, c * Chunk + Chunk - 1);
                            double dist = Math.Max(0, Math.Max(xa - centre, centre - xb) - 1e-3);
                            if (dist * dist <= h2) row |= 1UL << c;
                        }
                        m |= row << ((y - yb) * chunksPerRow);
                    }
                }
            }
            masks[k - k0] = m;
            union |= m;
        }
        return union;
    }

    /// <summary>The n lowest bits set (n in 0..64).</summary>
    private static ulong LowBits(int n) => n >= 64 ? ulong.MaxValue : (1UL << n) - 1;

    /// <summary>The block's Gaussians whose mask has <paramref name="bit"/> set, in list order, into ChunkItems; returns their count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ChunkList<T>(CpuTileScratch<T> s, int k0, int k1, int bit) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref ulong m0 = ref MemoryMarshal.GetArrayDataReference(s.Masks);
        ref int items = ref MemoryMarshal.GetArrayDataReference(s.ChunkItems);
        int n = 0;
        for (int k = k0; k < k1; k++)
        {
            Unsafe.Add(ref items, n) = k; // branch-free compaction
            n += (int)((Unsafe.Add(ref m0, k - k0) >> bit) & 1);
        }
        return n;
    }

    /// <summary>
    /// Front-to-back compositing of one block of the tile list on the band's chunks in <paramref name="todo"/> (bit =
    /// chunk in the band, as <see cref="ChunkMasks{T}"/>): each lane is one pixel of the chunk, its transmittance, stop
    /// flag and colour held in registers while the chunk walks its list. Returns the chunks whose pixels have all stopped.
    /// </summary>
    private static ulong CompositeBlock<T, TV>(CpuTileScratch<T> s, in TileRect r, int k0, int k1, int yb, ulong todo, int D, T maxAlpha, T minAlpha, T minT)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : unmanaged, ICpuLanes<TV, T>
    {
        int L = TV.Count, pixels = r.Pixels, cpr = r.ChunksPerRow;
        ulong finished = 0;
        T half = T.CreateTruncating(0.5);
        TV vMaxA = TV.Create(maxAlpha), vMinA = TV.Create(minAlpha), vMinT = TV.Create(minT), vOne = TV.Create(T.One), vZero = TV.Create(T.Zero);
        TV lanes = TV.Indices, vHalf = TV.Create(half);
        ref T trans = ref MemoryMarshal.GetArrayDataReference(s.Trans);
        ref T done = ref MemoryMarshal.GetArrayDataReference(s.Done);
        ref T stop = ref MemoryMarshal.GetArrayDataReference(s.Stop);
        ref T acc = ref MemoryMarshal.GetArrayDataReference(s.Acc);
        ref TileGaussian<T> g0 = ref MemoryMarshal.GetArrayDataReference(s.G8);
        ref T f0 = ref MemoryMarshal.GetArrayDataReference(s.F);
        ref int item0 = ref MemoryMarshal.GetArrayDataReference(s.ChunkItems);
        // Channels 0..3 in registers (c0..c3), any further ones in a stack span.
        Span<TV> col = stackalloc TV[Math.Max(0, D - 4)];
        for (; todo != 0; todo &= todo - 1)
        {
            int bit = BitOperations.TrailingZeroCount(todo);
            int e0 = 0, e1 = ChunkList(s, k0, k1, bit);
            int j = yb * cpr + bit, y = j / cpr, cx = (j - y * cpr) * Chunk;
            T yc = T.CreateTruncating(y) + half;
            bool allDone = true;
            for (int sub = 0; sub < Chunk; sub += L)
            {
                nuint p = (nuint)(y * r.Stride + cx + sub);
                TV dn = TV.Load(ref done, p);
                if (TV.All(dn)) continue;
                TV tr = TV.Load(ref trans, p), stp = TV.Load(ref stop, p);
                TV c0 = TV.Load(ref acc, p), c1 = vZero, c2 = vZero, c3 = vZero;
                if (D > 1) c1 = TV.Load(ref acc, (nuint)pixels + p);
                if (D > 2) c2 = TV.Load(ref acc, (nuint)(2 * pixels) + p);
                if (D > 3) c3 = TV.Load(ref acc, (nuint)(3 * pixels) + p);
                for (int d = 4; d < D; d++) col[d - 4] = TV.Load(ref acc, (nuint)(d * pixels) + p);
                TV xi = TV.Add(TV.Create(T.CreateTruncating(cx + sub)), lanes); // tile-local pixel x
                TV xh = TV.Add(xi, vHalf);
                for (int e = e0; e < e1; e++)
                {
                    int k = Unsafe.Add(ref item0, e);
                    ref readonly TileGaussian<T> gk = ref Unsafe.Add(ref g0, k);
                    T dy = yc - gk.My;
                    TV dx = TV.Sub(xh, TV.Create(gk.Mx));
                    TV sigma = TV.Add(TV.Mul(dx, TV.Add(TV.Mul(TV.Create(gk.HalfA), dx), TV.Create(gk.B * dy))), TV.Create(gk.HalfC * dy * dy));
                    // Cheap tests first: in the box, not stopped, 0 <= sigma <= skip (beyond it alpha < MinAlpha for sure).
                    TV valid = TV.AndNot(TV.And(TV.And(TV.GreaterOrEqual(xi, TV.Create(gk.XLo)), TV.LessOrEqual(xi, TV.Create(gk.XHi))),
                        TV.And(TV.GreaterOrEqual(sigma, vZero), TV.LessOrEqual(sigma, TV.Create(gk.Skip)))), dn);
                    if (!TV.Any(valid)) continue;
                    TV a = TV.Min(vMaxA, TV.Mul(TV.Create(gk.O), TV.Exp(TV.Sub(vZero, TV.Max(sigma, vZero)))));
                    valid = TV.And(valid, TV.GreaterOrEqual(a, vMinA));
                    if (!TV.Any(valid)) continue;
                    TV next = TV.Mul(tr, TV.Sub(vOne, a));
                    TV stops = TV.And(valid, TV.LessOrEqual(next, vMinT));
                    bool anyStop = TV.Any(stops);
                    if (anyStop)
                    {
                        dn = TV.Or(dn, stops);
                        stp = TV.Select(stops, TV.Create(T.CreateTruncating(k)), stp);
                        valid = TV.AndNot(valid, stops);
                    }
                    TV w = TV.Select(valid, TV.Mul(a, tr), vZero);
                    ref T fk = ref Unsafe.Add(ref f0, k * D);
                    c0 = TV.Add(c0, TV.Mul(w, TV.Create(fk)));
                    if (D > 1) c1 = TV.Add(c1, TV.Mul(w, TV.Create(Unsafe.Add(ref fk, 1))));
                    if (D > 2) c2 = TV.Add(c2, TV.Mul(w, TV.Create(Unsafe.Add(ref fk, 2))));
                    if (D > 3) c3 = TV.Add(c3, TV.Mul(w, TV.Create(Unsafe.Add(ref fk, 3))));
                    for (int d = 4; d < D; d++) col[d - 4] = TV.Add(col[d - 4], TV.Mul(w, TV.Create(Unsafe.Add(ref fk, d))));
                    tr = TV.Select(valid, next, tr);
                    if (anyStop && TV.All(dn)) break;
                }
                TV.Store(dn, ref done, p);
                TV.Store(tr, ref trans, p);
                TV.Store(stp, ref stop, p);
                TV.Store(c0, ref acc, p);
                if (D > 1) TV.Store(c1, ref acc, (nuint)pixels + p);
                if (D > 2) TV.Store(c2, ref acc, (nuint)(2 * pixels) + p);
                if (D > 3) TV.Store(c3, ref acc, (nuint)(3 * pixels) + p);
                for (int d = 4; d < D; d++) TV.Store(col[d - 4], ref acc, (nuint)(d * pixels) + p);
                allDone &= TV.All(dn);
            }
            if (allDone) finished |= 1UL << bit;
        }
        return finished;
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
        var skip = _workspace.RentArray<T>(v.N);
        var box = _workspace.RentArray<int>(4L * v.N);
        var chord = _workspace.RentArray<double>(3L * v.N);
        PrecomputeGaussians(v, LogInvMinAlpha<T>(o), skip, box, chord);
        int stride = GradientStride(v.D);
        long m = inputs.Bins.IntersectionCount;
        var perIntersection = _workspace.RentArray<T>(m * stride);

        Parallel.For(0, v.TilesX * v.TilesY, Parallelism(inputs), _workspace.RentScratch<T>, (tile, _, s) =>
        {
            long begin = ((long*)v.Offsets)[tile];
            int count = (int)(((long*)v.Offsets)[tile + 1] - begin);
            if (count == 0) return s;
            var r = new TileRect(tile, v.TilesX, v.TileSize, v.Width, v.Height);
            int D = v.D, pixels = r.Pixels;
            s.EnsurePixels(pixels, D);
            s.EnsureChunks(Block);
            s.EnsurePartials(Block * stride * Chunk);
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
            Gather(s, v, begin, count, r, skip, box, chord);
            var grads = new Span<T>(perIntersection, (int)(begin * stride), count * stride);
            grads.Clear();
            // Back to front in blocks, last block first; each chunk walks its block list in reverse.
            for (int k1 = last; k1 > 0; k1 -= Block)
            {
                int k0 = Math.Max(0, k1 - Block);
                Array.Clear(s.Partials, 0, (k1 - k0) * stride * Chunk);
                for (int yb = 0; yb < r.Height; yb += r.BandRows)
                {
                    int ye = Math.Min(r.Height, yb + r.BandRows);
                    ulong touched = ChunkMasks(s, k0, k1, yb, ye, r.ChunksPerRow);
                    BackwardBlock<T, TV>(s, r, k0, k1, yb, touched, D, stride, maxAlpha, minAlpha);
                }
                ReducePartials(s, k0, k1, D, stride, grads);
            }
            return s;
        }, _workspace.Return);

        // Deterministic reduction over intersections (in list order) into per-Gaussian gradients.
        var totals = _workspace.RentArray<double>((long)v.N * stride);
        Array.Clear(totals, 0, v.N * stride);
        long* ids = (long*)v.Ids;
        for (long i = 0; i < m; i++)
        {
            long src = i * stride, dst = ids[i] * stride;
            for (int c = 0; c < stride; c++) totals[dst + c] += double.CreateTruncating(perIntersection[src + c]);
        }
        var all = torch.empty(new long[] { v.N, stride }, dtype);
        if (v.N > 0)
        {
            T* outp = Ptr<T>(all);
            for (long i = 0; i < (long)v.N * stride; i++) outp[i] = T.CreateTruncating(totals[i]);
        }
        _workspace.ReturnArray(totals);
        _workspace.ReturnArray(perIntersection);
        _workspace.ReturnArray(skip);
        _workspace.ReturnArray(box);
        _workspace.ReturnArray(chord);
        GC.KeepAlive(keep);

        var dev = inputs.Means2d.device;
        return new CompositeGradients(
            all.narrow(1, 0, 2).contiguous().to(dev).MoveToOuterDisposeScope(),
            all.narrow(1, 2, 3).contiguous().to(dev).MoveToOuterDisposeScope(),
            all.select(1, 5).contiguous().to(dev).MoveToOuterDisposeScope(),
            all.narrow(1, 6, v.D).contiguous().to(dev).MoveToOuterDisposeScope());
    }

    /// <summary>Gradient values per intersection: mean x, mean y, conic a, b, c, opacity, features.</summary>
    private static int GradientStride(int channels) => 6 + channels;

    /// <summary>
    /// Back-to-front walk of one block's per-chunk lists. Per pixel, Gaussian k was composited in forward exactly when
    /// it passes the box/sigma/alpha tests and k is before the pixel's stop position. The pixel's state (transmittance
    /// after the Gaussian, gradient . colour behind it) stays in registers while its chunk walks the list; each
    /// Gaussian's gradient terms are added per lane (lane = pixel x mod <see cref="Chunk"/>) into its partials, chunks in
    /// row-major order, so every partial is the same sum in the same order whatever the vector width.
    /// </summary>
    private static void BackwardBlock<T, TV>(CpuTileScratch<T> s, in TileRect r, int k0, int k1, int yb, ulong todo, int D, int stride, T maxAlpha, T minAlpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : unmanaged, ICpuLanes<TV, T>
    {
        int L = TV.Count, pixels = r.Pixels, cpr = r.ChunksPerRow;
        T half = T.CreateTruncating(0.5);
        TV vMaxA = TV.Create(maxAlpha), vMinA = TV.Create(minAlpha), vOne = TV.Create(T.One), vZero = TV.Create(T.Zero);
        TV lanes = TV.Indices, vHalf = TV.Create(half);
        ref T trans = ref MemoryMarshal.GetArrayDataReference(s.Trans);
        ref T stop = ref MemoryMarshal.GetArrayDataReference(s.Stop);
        ref T gs = ref MemoryMarshal.GetArrayDataReference(s.GS);
        ref T gat = ref MemoryMarshal.GetArrayDataReference(s.GAT);
        ref T g = ref MemoryMarshal.GetArrayDataReference(s.G);
        ref T part = ref MemoryMarshal.GetArrayDataReference(s.Partials);
        ref TileGaussian<T> rec0 = ref MemoryMarshal.GetArrayDataReference(s.G8);
        ref T f0 = ref MemoryMarshal.GetArrayDataReference(s.F);
        ref int item0 = ref MemoryMarshal.GetArrayDataReference(s.ChunkItems);
        // The pixels' image gradient: channels 0..3 in registers (g0..g3), any further ones in a stack span.
        Span<TV> gPix = stackalloc TV[Math.Max(0, D - 4)];
        for (; todo != 0; todo &= todo - 1)
        {
            int bit = BitOperations.TrailingZeroCount(todo);
            int j = yb * cpr + bit, y = j / cpr, cx = (j - y * cpr) * Chunk;
            int e0 = 0, e1 = -1; // the chunk's list, built on first use
            T yc = T.CreateTruncating(y) + half;
            for (int sub = 0; sub < Chunk; sub += L)
            {
                nuint p = (nuint)(y * r.Stride + cx + sub);
                TV stp = TV.Load(ref stop, p);
                int kMax = int.CreateTruncating(TV.Max(stp)); // no lane composited a Gaussian at or beyond this
                if (kMax <= k0) continue;
                if (e1 < 0) e1 = ChunkList(s, k0, k1, bit);
                TV tAfter = TV.Load(ref trans, p), gBehind = TV.Load(ref gs, p), gAT = TV.Load(ref gat, p);
                TV g0 = TV.Load(ref g, p), g1 = vZero, g2 = vZero, g3 = vZero;
                if (D > 1) g1 = TV.Load(ref g, (nuint)pixels + p);
                if (D > 2) g2 = TV.Load(ref g, (nuint)(2 * pixels) + p);
                if (D > 3) g3 = TV.Load(ref g, (nuint)(3 * pixels) + p);
                for (int d = 4; d < D; d++) gPix[d - 4] = TV.Load(ref g, (nuint)(d * pixels) + p);
                TV xi = TV.Add(TV.Create(T.CreateTruncating(cx + sub)), lanes);
                TV xh = TV.Add(xi, vHalf);
                for (int e = e1 - 1; e >= e0; e--)
                {
                    int k = Unsafe.Add(ref item0, e);
                    if (k >= kMax) continue;
                    ref readonly TileGaussian<T> gk = ref Unsafe.Add(ref rec0, k);
                    T dy = yc - gk.My;
                    TV vDy = TV.Create(dy);
                    TV dx = TV.Sub(xh, TV.Create(gk.Mx));
                    TV sigma = TV.Add(TV.Mul(dx, TV.Add(TV.Mul(TV.Create(gk.HalfA), dx), TV.Create(gk.B * dy))), TV.Create(gk.HalfC * dy * dy));
                    TV valid = TV.And(TV.And(TV.GreaterOrEqual(xi, TV.Create(gk.XLo)), TV.LessOrEqual(xi, TV.Create(gk.XHi))),
                        TV.And(TV.And(TV.GreaterOrEqual(sigma, vZero), TV.LessOrEqual(sigma, TV.Create(gk.Skip))), TV.LessThan(TV.Create(T.CreateTruncating(k)), stp)));
                    if (!TV.Any(valid)) continue;
                    TV ex = TV.Exp(TV.Sub(vZero, TV.Max(sigma, vZero))); // sigma < 0 is excluded; keeps exp finite
                    TV raw = TV.Mul(TV.Create(gk.O), ex);
                    TV a = TV.Min(vMaxA, raw);
                    valid = TV.And(valid, TV.GreaterOrEqual(a, vMinA));
                    if (!TV.Any(valid)) continue;
                    TV inv = TV.Div(vOne, TV.Sub(vOne, a));
                    TV tBefore = TV.Mul(tAfter, inv);
                    ref T fk = ref Unsafe.Add(ref f0, k * D);
                    TV gDotC = TV.Add(vZero, TV.Mul(g0, TV.Create(fk)));
                    if (D > 1) gDotC = TV.Add(gDotC, TV.Mul(g1, TV.Create(Unsafe.Add(ref fk, 1))));
                    if (D > 2) gDotC = TV.Add(gDotC, TV.Mul(g2, TV.Create(Unsafe.Add(ref fk, 2))));
                    if (D > 3) gDotC = TV.Add(gDotC, TV.Mul(g3, TV.Create(Unsafe.Add(ref fk, 3))));
                    for (int d = 4; d < D; d++) gDotC = TV.Add(gDotC, TV.Mul(gPix[d - 4], TV.Create(Unsafe.Add(ref fk, d))));
                    TV w = TV.Select(valid, TV.Mul(a, tBefore), vZero);
                    TV dAlpha = TV.Add(TV.Mul(tBefore, gDotC), TV.Mul(TV.Sub(gAT, gBehind), inv));
                    gBehind = TV.Add(gBehind, TV.Mul(w, gDotC));
                    tAfter = TV.Select(valid, tBefore, tAfter);
                    // d alpha / d raw is 0 where the MaxAlpha clamp is active.
                    TV dRaw = TV.Select(TV.And(valid, TV.LessThan(raw, vMaxA)), dAlpha, vZero);
                    TV ds = TV.Mul(dRaw, raw); // = -dL/dsigma
                    nuint q = (nuint)((k - k0) * stride * Chunk + sub);
                    TV vB = TV.Create(gk.B);
                    Accumulate(ref part, q, TV.Mul(ds, TV.Add(TV.Mul(TV.Create(gk.A), dx), TV.Mul(vB, vDy))));
                    Accumulate(ref part, q + Chunk, TV.Mul(ds, TV.Add(TV.Mul(vB, dx), TV.Mul(TV.Create(gk.C), vDy))));
                    Accumulate(ref part, q + 2 * Chunk, TV.Mul(ds, TV.Mul(dx, dx)));
                    Accumulate(ref part, q + 3 * Chunk, TV.Mul(ds, TV.Mul(dx, vDy)));
                    Accumulate(ref part, q + 4 * Chunk, TV.Mul(ds, TV.Mul(vDy, vDy)));
                    Accumulate(ref part, q + 5 * Chunk, TV.Mul(dRaw, ex));
                    Accumulate(ref part, q + 6 * Chunk, TV.Mul(w, g0));
                    if (D > 1) Accumulate(ref part, q + 7 * Chunk, TV.Mul(w, g1));
                    if (D > 2) Accumulate(ref part, q + 8 * Chunk, TV.Mul(w, g2));
                    if (D > 3) Accumulate(ref part, q + 9 * Chunk, TV.Mul(w, g3));
                    for (int d = 4; d < D; d++) Accumulate(ref part, q + (nuint)((6 + d) * Chunk), TV.Mul(w, gPix[d - 4]));
                }
                TV.Store(tAfter, ref trans, p);
                TV.Store(gBehind, ref gs, p);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate<T, TV>(ref T partials, nuint at, TV value)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : unmanaged, ICpuLanes<TV, T> =>
        TV.Store(TV.Add(TV.Load(ref partials, at), value), ref partials, at);

    /// <summary>
    /// Each Gaussian's gradient for this tile from its per-lane partials: the <see cref="Chunk"/> lanes summed in double in
    /// one fixed order (<see cref="SumLanes{T}"/>).
    /// </summary>
    private static void ReducePartials<T>(CpuTileScratch<T> s, int k0, int k1, int D, int stride, Span<T> grads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var part = s.Partials;
        for (int k = k0; k < k1; k++)
        {
            if (s.X0[k] > s.X1[k] || s.Y0[k] > s.Y1[k]) continue;
            int q = (k - k0) * stride * Chunk;
            var o = grads.Slice(k * stride, stride);
            o[0] = T.CreateTruncating(SumLanes(part, q));
            o[1] = T.CreateTruncating(SumLanes(part, q + Chunk));
            o[2] = T.CreateTruncating(-0.5 * SumLanes(part, q + 2 * Chunk));
            o[3] = T.CreateTruncating(-SumLanes(part, q + 3 * Chunk));
            o[4] = T.CreateTruncating(-0.5 * SumLanes(part, q + 4 * Chunk));
            o[5] = T.CreateTruncating(SumLanes(part, q + 5 * Chunk));
            for (int d = 0; d < D; d++) o[6 + d] = T.CreateTruncating(SumLanes(part, q + (6 + d) * Chunk));
        }
    }

    /// <summary>
    /// The sum of <see cref="Chunk"/> = 8 lane partials in double, pairwise in a fixed order (lanes i and i + 4 first,
    /// then 0+2 and 1+3): the order the earlier kernel's 8-lane vector sum used, so its gradients are kept bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double SumLanes<T>(T[] part, int at) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s0 = double.CreateTruncating(part[at]) + double.CreateTruncating(part[at + 4]);
        double s1 = double.CreateTruncating(part[at + 1]) + double.CreateTruncating(part[at + 5]);
        double s2 = double.CreateTruncating(part[at + 2]) + double.CreateTruncating(part[at + 6]);
        double s3 = double.CreateTruncating(part[at + 3]) + double.CreateTruncating(part[at + 7]);
        return (s0 + s2) + (s1 + s3);
    }
}
