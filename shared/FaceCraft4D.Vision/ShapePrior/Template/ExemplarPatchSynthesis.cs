using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>What <see cref="ExemplarPatchSynthesis"/> made.</summary>
/// <param name="Image">The input with every target texel replaced by copied (and, in block overlaps, cross-faded) source texels.</param>
/// <param name="BlockOrigins">Per synthesised block: its core's top-left texel and the top-left texel of the source block copied into it.</param>
/// <param name="SourceBlockCount">Distinct source block positions the exemplar offered.</param>
/// <param name="BlockSize">Side of the block cores used (the options' or a halved one when the exemplar was small).</param>
/// <param name="SourceTexels">The exemplar texels kept by <see cref="ExemplarSourceSelection"/> [W * H].</param>
public sealed record PatchSynthesisResult(RgbImage Image, IReadOnlyList<(int X, int Y, int SourceX, int SourceY)> BlockOrigins, int SourceBlockCount,
    int BlockSize, bool[] SourceTexels);

/// <summary>
/// Exemplar-based texture synthesis in texture space (image quilting with feathered overlaps, with the coherence
/// candidates of Ashikhmin's method): the target texels are covered by a grid of B x B block cores, visited from
/// those next to known texels outward (breadth-first over the block grid, then row order); each takes the source
/// block that best matches (mean squared difference) the known or already synthesised texels in the block and in a
/// band of <see cref="PatchSynthesisOptions.Border"/> texels around it. A block copies its source core plus an
/// <see cref="PatchSynthesisOptions.Overlap"/> band around it, weighted 1 in the core and falling linearly to 0
/// across the band; a target texel is the weighted mean of the copies covering it, so block seams cross-fade. The
/// exemplar is first reduced to its confident texels (<see cref="ExemplarSourceSelection"/>). Candidates: a seeded
/// random draw of source blocks plus the continuations of the neighbours' source blocks, so coherent runs of the
/// exemplar carry over. Each copied window lies wholly inside the kept source. Deterministic for a seed.
/// </summary>
public static class ExemplarPatchSynthesis
{
    /// <summary>Synthesises the target texels from the source texels; null when the source offers too few blocks.</summary>
    /// <param name="image">Colours [W x H]; source and known texels are read.</param>
    /// <param name="source">Texels the exemplar may be taken from [W * H] (a source block lies wholly inside).</param>
    /// <param name="target">Texels to synthesise [W * H] (must not be source texels).</param>
    /// <param name="known">Texels whose colour the synthesis must agree with at block borders [W * H] (e.g. observed texels).</param>
    /// <param name="options">Block size, border, overlap, candidates, exemplar selection.</param>
    /// <param name="seed">Seed of the candidate draw.</param>
    public static PatchSynthesisResult? Synthesize(RgbImage image, bool[] source, bool[] target, bool[] known, PatchSynthesisOptions options, int seed,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(options);
        int w = image.Width, h = image.Height, border = Math.Max(0, options.Border), overlap = Math.Max(0, options.Overlap);
        if (source.Length != w * h || target.Length != w * h || known.Length != w * h) throw new ArgumentException("Masks must have one entry per texel.");
        for (int t = 0; t < target.Length; t++)
            if (target[t] && source[t]) throw new ArgumentException("A texel cannot be both source and target.", nameof(target));

        var kept = ExemplarSourceSelection.Select(image, source, options);
        int b = Math.Max(1, options.BlockSize);
        var windows = SourceOrigins(kept, w, h, b + 2 * overlap);
        while (windows.Count < Math.Max(1, options.MinimumSources) && b / 2 >= Math.Max(1, options.MinimumBlockSize))
        {
            b /= 2;
            windows = SourceOrigins(kept, w, h, b + 2 * overlap);
        }
        if (windows.Count < Math.Max(1, options.MinimumSources)) return null;
        // Core origins: the window's top-left moved in by the overlap.
        var origins = windows.Select(o => (X: o.X + overlap, Y: o.Y + overlap)).ToList();
        var isOrigin = new bool[w * h];
        foreach (var (x, y) in origins) isOrigin[y * w + x] = true;

        int bw = (w + b - 1) / b, bh = (h + b - 1) / b;
        var needs = new bool[bw * bh];
        for (int t = 0; t < target.Length; t++) if (target[t]) needs[(t / w / b) * bw + (t % w) / b] = true;
        var order = VisitOrder(needs, known, w, h, b, bw, bh);

        var result = image.Clone();
        var filled = (bool[])known.Clone();
        for (int t = 0; t < filled.Length; t++) filled[t] &= !target[t];
        var sum = new System.Numerics.Vector3[w * h];
        var weight = new float[w * h];
        var ramp = new float[b + 2 * overlap];
        for (int k = 0; k < ramp.Length; k++)
        {
            int outside = Math.Max(overlap - k, k - (overlap + b - 1));
            ramp[k] = outside <= 0 ? 1f : 1f - outside / (float)(overlap + 1);
        }
        var chosen = new (int X, int Y)?[bw * bh];
        var blocks = new List<(int, int, int, int)>(order.Count);
        var random = new Random(seed);
        var candidates = new List<(int X, int Y)>(options.Candidates + 4);
        foreach (int block in order)
        {
            ct.ThrowIfCancellationRequested();
            int bx = block % bw, by = block / bw, x0 = bx * b, y0 = by * b;
            candidates.Clear();
            foreach (var (nx, ny) in new[] { (-1, 0), (1, 0), (0, -1), (0, 1) })
            {
                int ax = bx + nx, ay = by + ny;
                if (ax < 0 || ay < 0 || ax >= bw || ay >= bh || chosen[ay * bw + ax] is not { } neighbour) continue;
                int sx = neighbour.X - nx * b, sy = neighbour.Y - ny * b;
                if (sx >= 0 && sy >= 0 && sx < w && sy < h && isOrigin[sy * w + sx]) candidates.Add((sx, sy));
            }
            for (int k = 0; k < options.Candidates; k++) candidates.Add(origins[random.Next(origins.Count)]);

            var best = candidates[0];
            double bestCost = double.MaxValue;
            foreach (var c in candidates)
            {
                double cost = Cost(result, image, filled, x0, y0, c.X, c.Y, b, Math.Max(border, overlap), w, h);
                if (cost < bestCost)
                {
                    bestCost = cost;
                    best = c;
                }
            }
            for (int dy = -overlap; dy < b + overlap; dy++)
            for (int dx = -overlap; dx < b + overlap; dx++)
            {
                int tx = x0 + dx, ty = y0 + dy;
                if (tx < 0 || ty < 0 || tx >= w || ty >= h) continue;
                int t = ty * w + tx;
                if (!target[t]) continue;
                float a = ramp[dx + overlap] * ramp[dy + overlap];
                sum[t] += a * image[best.X + dx, best.Y + dy];
                weight[t] += a;
                result[tx, ty] = sum[t] / weight[t];
                filled[t] = true;
            }
            chosen[block] = best;
            blocks.Add((x0, y0, best.X, best.Y));
        }
        return new PatchSynthesisResult(result, blocks, origins.Count, b, kept);
    }

    /// <summary>Mean squared difference between the filled texels around target block (x0, y0) and the same offsets around source (sx, sy).</summary>
    private static double Cost(RgbImage current, RgbImage image, bool[] filled, int x0, int y0, int sx, int sy, int b, int border, int w, int h)
    {
        double sum = 0;
        int n = 0;
        for (int dy = -border; dy < b + border; dy++)
        {
            int ty = y0 + dy, syy = sy + dy;
            if (ty < 0 || ty >= h || syy < 0 || syy >= h) continue;
            for (int dx = -border; dx < b + border; dx++)
            {
                int tx = x0 + dx, sxx = sx + dx;
                if (tx < 0 || tx >= w || sxx < 0 || sxx >= w || !filled[ty * w + tx]) continue;
                var d = current[tx, ty] - image[sxx, syy];
                sum += Vector3.Dot(d, d);
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    /// <summary>Top-left texels of every B x B block wholly inside the source (summed-area table of the mask).</summary>
    private static List<(int X, int Y)> SourceOrigins(bool[] source, int w, int h, int b)
    {
        var sat = new int[(w + 1) * (h + 1)];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            sat[(y + 1) * (w + 1) + x + 1] = (source[y * w + x] ? 1 : 0) + sat[y * (w + 1) + x + 1] + sat[(y + 1) * (w + 1) + x] - sat[y * (w + 1) + x];
        var origins = new List<(int, int)>();
        for (int y = 0; y + b <= h; y++)
        for (int x = 0; x + b <= w; x++)
        {
            int inside = sat[(y + b) * (w + 1) + x + b] - sat[y * (w + 1) + x + b] - sat[(y + b) * (w + 1) + x] + sat[y * (w + 1) + x];
            if (inside == b * b) origins.Add((x, y));
        }
        return origins;
    }

    /// <summary>Target blocks ordered by block distance from blocks holding known texels, then by row.</summary>
    private static List<int> VisitOrder(bool[] needs, bool[] known, int w, int h, int b, int bw, int bh)
    {
        var distance = new int[bw * bh];
        Array.Fill(distance, int.MaxValue);
        var queue = new Queue<int>();
        for (int t = 0; t < known.Length; t++)
        {
            if (!known[t]) continue;
            int block = (t / w / b) * bw + (t % w) / b;
            if (distance[block] == 0) continue;
            distance[block] = 0;
            queue.Enqueue(block);
        }
        while (queue.Count > 0)
        {
            int block = queue.Dequeue();
            int bx = block % bw, by = block / bw;
            foreach (var (nx, ny) in new[] { (-1, 0), (1, 0), (0, -1), (0, 1) })
            {
                int ax = bx + nx, ay = by + ny;
                if (ax < 0 || ay < 0 || ax >= bw || ay >= bh) continue;
                int next = ay * bw + ax;
                if (distance[next] != int.MaxValue) continue;
                distance[next] = distance[block] + 1;
                queue.Enqueue(next);
            }
        }
        return Enumerable.Range(0, needs.Length).Where(i => needs[i]).OrderBy(i => distance[i]).ThenBy(i => i).ToList();
    }
}
