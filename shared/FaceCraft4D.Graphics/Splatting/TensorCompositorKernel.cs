using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Device-agnostic compositing with TorchSharp tensor operations. All tiles advance together through their
/// depth-sorted lists in chunks of <see cref="RasterizerOptions.ChunkSize"/> Gaussians, in groups of tiles so that
/// tiles x pixels per tile x chunk stays under <see cref="RasterizerOptions.MaxChunkElements"/> (bounded memory). Tiles whose list is exhausted or whose pixels have all stopped drop out.
/// The stop rule is evaluated on the "virtual" transmittance that keeps multiplying after a pixel stopped: because it
/// only decreases, a Gaussian is composited exactly when the virtual transmittance after it stays above the threshold.
/// </summary>
internal sealed class TensorCompositorKernel : ICompositorKernel
{
    private sealed class Layout
    {
        public required int TilesX, TilesY, TileSize, Pixels, Width, Height;
        public required long[] Offsets, Counts;
        public required Tensor OffsetsT, CountsT, PixelCoords; // [T+1], [T], [T, P, 2]
    }

    private sealed class Chunk
    {
        public required Tensor Gid, Valid, Dx, Dy, ConA, ConB, ConC, Exp, Raw, Alpha, Included, TBefore, TAfter, Weight;
    }

    public (Tensor Image, Tensor Alpha, Tensor? PixelState) Forward(CompositeInputs inputs)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var layout = BuildLayout(inputs);
        var dev = inputs.Means2d.device;
        var dtype = inputs.Means2d.dtype;
        int tiles = layout.TilesX * layout.TilesY;
        long d = inputs.Channels;
        var accum = torch.zeros(new long[] { tiles, layout.Pixels, d }, dtype, dev);
        var tVirtual = torch.ones(new long[] { tiles, layout.Pixels }, dtype, dev);
        var tActual = torch.ones(new long[] { tiles, layout.Pixels }, dtype, dev);

        foreach (var (start, active) in Chunks(inputs, layout, tVirtual))
        {
            using var chunkScope = torch.NewDisposeScope();
            var c = Evaluate(inputs, layout, active, start, tVirtual.index_select(0, active));
            var feat = inputs.Features.index_select(0, c.Gid.flatten()).view(c.Gid.shape[0], c.Gid.shape[1], d);
            HeldScalarOps.Hold(1.0.ToScalar(), held => accum.index_add_(0, active, torch.bmm(c.Weight, feat), held));
            var keep = torch.where(c.Included, c.Alpha.SubtractedFrom(1.0), torch.ones_like(c.Alpha)).prod(-1);
            tActual.index_copy_(0, active, tActual.index_select(0, active) * keep);
            tVirtual.index_copy_(0, active, c.TAfter.select(-1, -1));
        }

        var imageTiles = accum.Plus(tActual.unsqueeze(-1) * inputs.Background.to_type(dtype).view(1, 1, d));
        var image = FromTiles(imageTiles, layout);
        var alpha = FromTiles((tActual.SubtractedFrom(1.0)).unsqueeze(-1), layout).squeeze(-1);
        return (image.MoveToOuterDisposeScope(), alpha.MoveToOuterDisposeScope(), null);
    }

    public CompositeGradients Backward(CompositeInputs inputs, Tensor image, Tensor alpha, Tensor? pixelState, Tensor gradImage, Tensor gradAlpha)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var layout = BuildLayout(inputs);
        var dev = inputs.Means2d.device;
        var dtype = inputs.Means2d.dtype;
        long n = inputs.Means2d.shape[0], d = inputs.Channels;
        int tiles = layout.TilesX * layout.TilesY;

        var g = ToTiles(gradImage.to_type(dtype), layout); // [T, P, D]
        var gA = ToTiles(gradAlpha.to_type(dtype).unsqueeze(-1), layout).squeeze(-1); // [T, P]
        var cFinal = ToTiles(image.to_type(dtype), layout);
        var tFinal = ToTiles(alpha.to_type(dtype).unsqueeze(-1), layout).squeeze(-1).SubtractedFrom(1.0);
        var gDotC = (g * cFinal).sum(-1); // [T, P]
        var gPrefix = torch.zeros(new long[] { tiles, layout.Pixels }, dtype, dev);
        var tVirtual = torch.ones(new long[] { tiles, layout.Pixels }, dtype, dev);

        var gMeans = torch.zeros(new long[] { n, 2 }, dtype, dev);
        var gConics = torch.zeros(new long[] { n, 3 }, dtype, dev);
        var gOpac = torch.zeros(new long[] { n }, dtype, dev);
        var gFeat = torch.zeros(new long[] { n, d }, dtype, dev);
        double maxAlpha = inputs.Options.MaxAlpha;

        foreach (var (start, active) in Chunks(inputs, layout, tVirtual))
        {
            using var chunkScope = torch.NewDisposeScope();
            var c = Evaluate(inputs, layout, active, start, tVirtual.index_select(0, active));
            long a = c.Gid.shape[0], cs = c.Gid.shape[1];
            var flat = c.Gid.flatten();
            var feat = inputs.Features.index_select(0, flat).view(a, cs, d);
            var gt = g.index_select(0, active); // [A, P, D]
            var gf = torch.bmm(gt, feat.transpose(1, 2)); // [A, P, C]
            var cum = torch.cumsum(c.Weight * gf, -1).Plus(gPrefix.index_select(0, active).unsqueeze(-1));
            var gS = gDotC.index_select(0, active).unsqueeze(-1) - cum; // G . (colour behind i, background included)
            var inv = (c.Alpha.SubtractedFrom(1.0)).reciprocal().Times(1.0);
            var dAlpha = (c.TBefore * gf - gS * inv).Plus((gA.index_select(0, active) * tFinal.index_select(0, active)).unsqueeze(-1) * inv);
            dAlpha = torch.where(c.Included, dAlpha, torch.zeros_like(dAlpha));
            var dRaw = torch.where(c.Raw.IsLessThan(maxAlpha), dAlpha, torch.zeros_like(dAlpha));
            var dSigma = -dRaw * c.Raw;
            var validF = c.Valid.to_type(dtype); // [A, C]

            var gFeatC = torch.bmm(c.Weight.transpose(1, 2), gt) * validF.unsqueeze(-1); // [A, C, D]
            var gOpC = (dRaw * c.Exp).sum(1) * validF;
            var gA_ = (dSigma.Times(0.5) * c.Dx * c.Dx).sum(1) * validF;
            var gB_ = (dSigma * c.Dx * c.Dy).sum(1) * validF;
            var gC_ = (dSigma.Times(0.5) * c.Dy * c.Dy).sum(1) * validF;
            var gMx = (dSigma * -((c.ConA * c.Dx).Plus(c.ConB * c.Dy))).sum(1) * validF;
            var gMy = (dSigma * -((c.ConB * c.Dx).Plus(c.ConC * c.Dy))).sum(1) * validF;

            HeldScalarOps.Hold(1.0.ToScalar(), held => gFeat.index_add_(0, flat, gFeatC.view(-1, d), held));
            HeldScalarOps.Hold(1.0.ToScalar(), held => gOpac.index_add_(0, flat, gOpC.flatten(), held));
            HeldScalarOps.Hold(1.0.ToScalar(), held => gConics.index_add_(0, flat, torch.stack(new[] { gA_, gB_, gC_ }, -1).view(-1, 3), held));
            HeldScalarOps.Hold(1.0.ToScalar(), held => gMeans.index_add_(0, flat, torch.stack(new[] { gMx, gMy }, -1).view(-1, 2), held));

            gPrefix.index_copy_(0, active, cum.select(-1, -1));
            tVirtual.index_copy_(0, active, c.TAfter.select(-1, -1));
        }

        return new CompositeGradients(
            gMeans.MoveToOuterDisposeScope(), gConics.MoveToOuterDisposeScope(),
            gOpac.MoveToOuterDisposeScope(), gFeat.MoveToOuterDisposeScope());
    }

    /// <summary>Yields (chunk start, active tile indices) while some tile still has Gaussians and live pixels.</summary>
    private static IEnumerable<(long Start, Tensor Active)> Chunks(CompositeInputs inputs, Layout layout, Tensor tVirtual)
    {
        long maxCount = layout.Counts.Length == 0 ? 0 : layout.Counts.Max();
        int chunk = inputs.Options.ChunkSize;
        double minT = inputs.Options.MinTransmittance;
        for (long start = 0; start < maxCount; start += chunk)
        {
            bool[] alive;
            using (var aliveT = tVirtual.IsGreaterThan(minT).any(1).cpu())
                alive = aliveT.data<bool>().ToArray();
            var list = new List<long>();
            for (int t = 0; t < layout.Counts.Length; t++)
                if (layout.Counts[t] > start && alive[t]) list.Add(t);
            if (list.Count == 0) yield break;
            int group = (int)Math.Clamp(inputs.Options.ChunkElementsFor(inputs.Means2d.device.type) / ((long)layout.Pixels * chunk), 1, int.MaxValue);
            for (int g = 0; g < list.Count; g += group)
            {
                using var active = torch.tensor(list.GetRange(g, Math.Min(group, list.Count - g)).ToArray(), ScalarType.Int64, inputs.Means2d.device);
                yield return (start, active);
            }
        }
    }

    private static Chunk Evaluate(CompositeInputs inputs, Layout layout, Tensor active, long start, Tensor tPrev)
    {
        var o = inputs.Options;
        var dev = inputs.Means2d.device;
        var dtype = inputs.Means2d.dtype;
        long a = active.shape[0], cs = o.ChunkSize;
        long m = inputs.Bins.IntersectionCount;
        var local = HeldScalarOps.Arange(start, start + cs, 1, ScalarType.Int64, dev); // [C]
        var valid = local.unsqueeze(0).lt(layout.CountsT.index_select(0, active).unsqueeze(1)); // [A, C]
        var idx = (layout.OffsetsT.index_select(0, active).unsqueeze(1).Plus(local.unsqueeze(0))).ClampedMax(m - 1);
        var gid = inputs.Bins.GaussianIds.index_select(0, idx.flatten()).view(a, cs);
        var flat = gid.flatten();
        var mu = inputs.Means2d.index_select(0, flat).view(a, 1, cs, 2);
        var con = inputs.Conics.index_select(0, flat).view(a, 1, cs, 3);
        var op = inputs.Opacities.index_select(0, flat).view(a, 1, cs);
        var pix = layout.PixelCoords.index_select(0, active); // [A, P, 2]
        var dx = pix.select(-1, 0).unsqueeze(-1) - mu.select(-1, 0); // [A, P, C]
        var dy = pix.select(-1, 1).unsqueeze(-1) - mu.select(-1, 1);
        var ca = con.select(-1, 0); var cb = con.select(-1, 1); var cc = con.select(-1, 2);
        var sigma = ((ca * dx * dx).Plus(cc * dy * dy)).Times(0.5).Plus(cb * dx * dy);
        var ex = torch.exp(-sigma);
        var raw = op * ex;
        var alpha = raw.ClampedMax(o.MaxAlpha);
        var ok = valid.unsqueeze(1).logical_and(sigma.IsAtLeast(0)).logical_and(alpha.IsAtLeast(o.MinAlpha));
        alpha = torch.where(ok, alpha, torch.zeros_like(alpha));
        var cp = torch.cumprod(alpha.SubtractedFrom(1.0), -1);
        var tp = tPrev.unsqueeze(-1);
        var tAfter = tp * cp;
        var included = ok.logical_and(tAfter.IsGreaterThan(o.MinTransmittance));
        var exclusive = torch.cat(new[] { torch.ones(new long[] { a, layout.Pixels, 1 }, dtype, dev), cp.narrow(-1, 0, cs - 1) }, -1);
        var tBefore = tp * exclusive;
        var weight = torch.where(included, alpha * tBefore, torch.zeros_like(alpha));
        return new Chunk
        {
            Gid = gid, Valid = valid, Dx = dx, Dy = dy, ConA = ca, ConB = cb, ConC = cc, Exp = ex, Raw = raw,
            Alpha = alpha, Included = included, TBefore = tBefore, TAfter = tAfter, Weight = weight,
        };
    }

    private static Layout BuildLayout(CompositeInputs inputs)
    {
        var bins = inputs.Bins;
        var dev = inputs.Means2d.device;
        long[] offsets;
        using (var off = bins.TileOffsets.cpu()) offsets = off.data<long>().ToArray();
        var counts = new long[offsets.Length - 1];
        for (int i = 0; i < counts.Length; i++) counts[i] = offsets[i + 1] - offsets[i];
        int ts = bins.TileSize;
        var lx = HeldScalarOps.Arange(ts, inputs.Means2d.dtype, dev);
        var ly = HeldScalarOps.Arange(ts, inputs.Means2d.dtype, dev);
        var tx = HeldScalarOps.Arange(bins.TilesX, inputs.Means2d.dtype, dev).Times(ts);
        var ty = HeldScalarOps.Arange(bins.TilesY, inputs.Means2d.dtype, dev).Times(ts);
        // [TY, TX, ts(y), ts(x)]
        var px = (tx.view(1, -1, 1, 1).Plus(lx.view(1, 1, 1, -1)).Plus(0.5)).expand(bins.TilesY, bins.TilesX, ts, ts);
        var py = (ty.view(-1, 1, 1, 1).Plus(ly.view(1, 1, -1, 1)).Plus(0.5)).expand(bins.TilesY, bins.TilesX, ts, ts);
        var coords = torch.stack(new[] { px, py }, -1).reshape(bins.TilesX * bins.TilesY, ts * ts, 2);
        return new Layout
        {
            TilesX = bins.TilesX, TilesY = bins.TilesY, TileSize = ts, Pixels = ts * ts, Width = bins.Width, Height = bins.Height,
            Offsets = offsets, Counts = counts,
            OffsetsT = bins.TileOffsets.narrow(0, 0, counts.Length), CountsT = torch.tensor(counts, ScalarType.Int64, dev),
            PixelCoords = coords,
        };
    }

    /// <summary>[H, W, D] -> [T, P, D], zero-padded to whole tiles.</summary>
    private static Tensor ToTiles(Tensor image, Layout l)
    {
        long d = image.shape[2];
        int ts = l.TileSize;
        var padded = torch.nn.functional.pad(image, new long[] { 0, 0, 0, l.TilesX * ts - l.Width, 0, l.TilesY * ts - l.Height });
        return padded.view(l.TilesY, ts, l.TilesX, ts, d).permute(0, 2, 1, 3, 4).reshape(l.TilesX * l.TilesY, ts * ts, d);
    }

    /// <summary>[T, P, D] -> [H, W, D].</summary>
    private static Tensor FromTiles(Tensor tiles, Layout l)
    {
        long d = tiles.shape[2];
        int ts = l.TileSize;
        var full = tiles.view(l.TilesY, l.TilesX, ts, ts, d).permute(0, 2, 1, 3, 4).reshape(l.TilesY * ts, l.TilesX * ts, d);
        return full.narrow(0, 0, l.Height).narrow(1, 0, l.Width).contiguous();
    }
}
