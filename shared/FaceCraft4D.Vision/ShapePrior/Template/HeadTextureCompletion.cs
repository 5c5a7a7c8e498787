using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>The completed atlas and how it was made.</summary>
/// <param name="Colour">Completed colour of every texel (uncovered texels filled too, so bilinear lookups at chart borders stay clean).</param>
/// <param name="ObservedWeight">Confidence of the portrait (direct or mirrored) per texel.</param>
/// <param name="HairSynthesised">Whether the hair was synthesised from the portrait's own hair (false: no usable exemplar).</param>
/// <param name="Metrics">Fractions and counts for the record.</param>
/// <param name="DirectScale">Per texel, a factor on the portrait's direct weight where rendering (<see cref="CompletedHeadTexture"/>);
/// null: 1 everywhere.</param>
public sealed record CompletedAtlas(RgbImage Colour, FloatImage ObservedWeight, bool HairSynthesised, IReadOnlyDictionary<string, double> Metrics,
    FloatImage? DirectScale = null);

/// <summary>
/// Completes the head texture in texture space, from the portrait alone:
/// <list type="number">
/// <item>observe: each texel's surface point projected into the portrait (<see cref="ProjectiveHeadTexture.ObserveDirect"/>);</item>
/// <item>mirror: unseen or grazing texels take their mirror texel's observation (<see cref="MirrorCompletion"/>);</item>
/// <item>skin: the remaining skin texels by a smooth membrane from the known skin texels (<see cref="SmoothFill"/>);</item>
/// <item>neck: the neck and nape from the known neck/torso texels, extended around and down by the same fill (so the
/// seam with what the portrait shows is continuous); with <see cref="HeadTextureOptions.NeckFromClothing"/> and a covered
/// neck, from the clothing-coloured ones only; with <see cref="HeadTextureOptions.ClothedNape"/> and a covered neck, behind the ears
/// blended toward the clothing's colour (<see cref="ClothedNape"/>);</item>
/// <item>hair: the hair region by exemplar block synthesis from the portrait's own visible hair texels
/// (<see cref="ExemplarPatchSynthesis"/>: confident exemplar texels only, feathered block overlaps), over a smooth fill of
/// the hair colours; its low frequencies then follow that smooth fill, its detail is smeared into downward strands and
/// strand noise is added (<c>HairFinish</c>);</item>
/// <item>compose: fill = hair w_h + skin w_s + neck w_n (<see cref="HeadRegions"/>), colour = w c_obs + (1 - w) fill;
/// completed texels near the symmetry plane are averaged with their mirror so both halves of the back meet;</item>
/// <item>optionally (<see cref="HeadTextureOptions.FramedSideBand"/>) the strip between cheek and ear of the side whose strip is
/// hair-framed in the portrait replaces the other side's (<see cref="FramedSideBand"/>).</item>
/// </list>
/// </summary>
public static class HeadTextureCompletion
{
    /// <summary>Runs the completion on <paramref name="surface"/>.</summary>
    public static CompletedAtlas Complete(TexelSurface surface, ProjectiveHeadTexture texture, HeadRegions regions, HeadColours colours,
        HeadTextureOptions options, int seed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(surface);
        ArgumentNullException.ThrowIfNull(texture);
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(colours);
        ArgumentNullException.ThrowIfNull(options);
        int w = surface.Width, h = surface.Height, count = w * h;

        // 1. Direct observations. [W x H]
        var direct = new TexelObservation(new RgbImage(w, h), new FloatImage(w, h));
        var hairW = new float[count];
        var skinW = new float[count];
        var neckW = new float[count];
        Parallel.For(0, h, y =>
        {
            for (int x = 0; x < w; x++)
            {
                int t = y * w + x;
                if (!surface.Covered[t]) continue;
                var p = surface.Point(t);
                var (c, weight) = texture.ObserveDirect(p, surface.Normal(t));
                direct.Colour[x, y] = c;
                direct.Weight[x, y] = weight;
                (hairW[t], skinW[t], neckW[t]) = regions.Weights(p);
            }
        });
        ct.ThrowIfCancellationRequested();

        // 2. Mirror.
        var map = options.UseSymmetry ? SymmetricTexelMap.Build(surface, ct) : null;
        var observed = map is null ? direct : MirrorCompletion.Fill(direct, map, options.SymmetryWeight);
        ct.ThrowIfCancellationRequested();

        float knownMin = (float)options.KnownWeight;
        var known = new bool[count];
        var hairColoured = new bool[count];
        for (int t = 0; t < count; t++)
        {
            if (!surface.Covered[t]) continue;
            known[t] = observed.Weight.Data[t] >= knownMin;
            var c = observed.Colour[t % w, t / w];
            hairColoured[t] = colours.HairFound && Vector3.DistanceSquared(c, colours.Hair) < Vector3.DistanceSquared(c, colours.Skin);
        }

        // 3. Skin membrane from known skin-coloured texels outside hair and neck.
        var skinSeeds = Seeds(known, t => skinW[t] >= 0.5f && !hairColoured[t]);
        var skinFill = skinSeeds.Count > 0 ? SmoothFill.Fill(observed.Colour, skinSeeds.Mask, surface.Covered) : RgbImage.Filled(w, h, colours.Skin);

        // 4. Neck extension from the known neck/torso texels.
        bool neckCovered = CoveredNeck.Applies(colours, options);
        var neckSeeds = Seeds(known, t => neckW[t] >= 0.5f && (!neckCovered || CoveredNeck.IsClothing(observed.Colour[t % w, t / w], colours)));
        var heights = new float[count];
        for (int t = 0; t < count; t++) heights[t] = surface.Points[3 * t + 1];
        var neckFill = neckSeeds.Count >= 16
            ? NeckExtension.Extend(observed.Colour, neckSeeds.Mask, surface.Covered, heights)
            : RgbImage.Filled(w, h, colours.Neck);
        bool clothedNape = options.ClothedNape && CoveredNeck.IsCovered(colours, options);
        if (clothedNape)
        {
            var behind = new float[count];
            for (int t = 0; t < count; t++) if (surface.Covered[t]) behind[t] = regions.BehindEars(surface.Point(t));
            ClothedNape.Blend(neckFill, behind, colours.Neck);
        }
        ct.ThrowIfCancellationRequested();

        // 5. Hair: smooth base from known hair texels, then exemplar synthesis over the unseen hair.
        var hairSeeds = Seeds(known, t => hairColoured[t] && hairW[t] >= 0.3f);
        RgbImage hairFill = hairSeeds.Count > 0 ? SmoothFill.Fill(observed.Colour, hairSeeds.Mask, surface.Covered) : RgbImage.Filled(w, h, colours.Hair);
        float sourceMin = (float)options.HairSourceWeight;
        var source = new bool[count];
        var target = new bool[count];
        for (int t = 0; t < count; t++)
        {
            if (!surface.Covered[t]) continue;
            source[t] = hairColoured[t] && hairW[t] >= 0.3f && neckW[t] < 0.5f && observed.Weight.Data[t] >= sourceMin;
            target[t] = !source[t] && hairW[t] > 0.02f && observed.Weight.Data[t] < 0.999f;
        }
        var synthesis = colours.HairFound
            ? ExemplarPatchSynthesis.Synthesize(hairFill, source, target, known, options.HairSynthesis, seed, ct)
            : null;
        if (synthesis is not null) hairFill = HairFinish(synthesis.Image, hairFill, target, synthesis.SourceTexels, surface, colours, options, seed);
        ct.ThrowIfCancellationRequested();

        // 6. Compose.
        var result = new RgbImage(w, h);
        var tips = options.HairTipJitter > 0 && synthesis is not null ? new HairNoise(seed + 1, options.HairNoiseAcross, options.HairNoiseAlong) : null;
        int completedCount = 0, coveredCount = 0;
        for (int t = 0; t < count; t++)
        {
            if (!surface.Covered[t]) continue;
            coveredCount++;
            int x = t % w, y = t / w;
            var (hw, sw, nw) = (hairW[t], skinW[t], neckW[t]);
            if (tips is not null && hw > 0 && hw < 1 && nw > 0)
            {
                // Strand tips at the nape: the hair's lower edge moves up and down with the strand noise (only between
                // hair and neck, so the face and the region weights elsewhere stay as they were).
                float moved = Math.Clamp(hw + (float)options.HairTipJitter * tips.At(surface.Point(t)), 0, hw + nw);
                (hw, nw) = (moved, hw + nw - moved);
            }
            var fill = hw * hairFill[x, y] + sw * skinFill[x, y] + nw * neckFill[x, y];
            float wo = observed.Weight.Data[t];
            if (wo < knownMin) completedCount++;
            result[x, y] = Vector3.Clamp(wo * observed.Colour[x, y] + (1 - wo) * fill, Vector3.Zero, Vector3.One);
        }
        FramedSideBandResult? framed = options.FramedSideBand && map is not null
            ? FramedSideBand.Apply(result, direct, surface, map, regions, colours, options.FramedSideBandMinDifference)
            : null;
        if (map is not null) BlendAcrossPlane(result, surface, observed.Weight, map, (float)options.SymmetryBlendWidth);
        // Fill the uncovered texels (pull-push only) so bilinear lookups near chart borders see head colours.
        var filled = SmoothFill.Fill(result, surface.Covered, new bool[count], relaxIterations: 0);

        var metrics = new Dictionary<string, double>
        {
            ["texels_direct_fraction"] = Fraction(t => direct.Weight.Data[t] >= knownMin),
            ["texels_mirrored_fraction"] = Fraction(t => direct.Weight.Data[t] < knownMin && known[t]),
            ["texels_completed_fraction"] = coveredCount == 0 ? 0 : (double)completedCount / coveredCount,
            ["hair_source_blocks"] = synthesis?.SourceBlockCount ?? 0,
            ["hair_synthesised_blocks"] = synthesis?.BlockOrigins.Count ?? 0,
            ["hair_block_size"] = synthesis?.BlockSize ?? 0,
            ["neck_seed_texels"] = neckSeeds.Count,
        };
        if (options.NeckFromClothing) metrics["neck_from_clothing"] = neckCovered ? 1 : 0;
        if (options.ClothedNape) metrics["clothed_nape"] = clothedNape ? 1 : 0;
        if (options.ClothedNape && options.NeckClothingMinUniformity > 0)
        {
            metrics["neck_skin_distance"] = Vector3.Distance(colours.Neck, colours.Skin);
            metrics["neck_uniformity"] = colours.NeckUniformity;
            metrics["neck_chroma_distance"] = CoveredNeck.ChromaDistance(colours);
            metrics["neck_luminance"] = Luminance(colours.Neck);
            metrics["neck_skin_luminance"] = Luminance(colours.Skin);
        }
        if (framed is not null)
        {
            metrics["band_darkness_left"] = framed.DarknessLeft;
            metrics["band_darkness_right"] = framed.DarknessRight;
            metrics["band_mirrored_side"] = framed.MirroredSide;
            metrics["band_mirrored_texels"] = framed.Texels;
        }
        return new CompletedAtlas(filled, observed.Weight, synthesis is not null, metrics, framed?.DirectScale);

        static double Luminance(Vector3 c) => 0.2126 * c.X + 0.7152 * c.Y + 0.0722 * c.Z;

        double Fraction(Func<int, bool> predicate)
        {
            int n = 0, all = 0;
            for (int t = 0; t < count; t++)
            {
                if (!surface.Covered[t]) continue;
                all++;
                if (predicate(t)) n++;
            }
            return all == 0 ? 0 : (double)n / all;
        }
    }

    /// <summary>
    /// The synthesised hair made to read as one head of hair: (1) its low frequencies replaced by those of the smooth
    /// fill of the seen hair colours (box means over <see cref="HeadTextureOptions.HairShadingRadius"/> texels), pulled
    /// toward the exemplar's mean colour by <see cref="HeadTextureOptions.HairShadingToExemplar"/>, so the back keeps
    /// the front's colour and no patch of the exemplar turns into a dark or light blotch; (2) a vertical smear along
    /// texture columns (<see cref="HeadTextureOptions.HairStrandSmear"/>: the atlas' v runs down the head), so the
    /// detail becomes strands falling downward; (3) strand noise (<see cref="HairNoise"/>, elongated along world y) of
    /// <see cref="HeadTextureOptions.HairStrandNoise"/> times the portrait's hair luminance spread. Target texels only.
    /// </summary>
    private static RgbImage HairFinish(RgbImage synthesised, RgbImage smoothBase, bool[] target, bool[] exemplar, TexelSurface surface,
        HeadColours colours, HeadTextureOptions options, int seed)
    {
        int w = synthesised.Width, count = target.Length;
        var image = synthesised;
        if (options.HairStrandSmear > 0) image = MaskedBoxBlur.Blur(image, target, 0, options.HairStrandSmear);
        if (options.HairShadingRadius > 0)
        {
            var exemplarMean = Vector3.Zero;
            int n = 0;
            for (int t = 0; t < count; t++)
            {
                if (!exemplar[t]) continue;
                exemplarMean += synthesised[t % w, t / w];
                n++;
            }
            if (n > 0) exemplarMean /= n;
            int r = options.HairShadingRadius;
            var low = MaskedBoxBlur.Blur(image, target, r, r);
            var wanted = MaskedBoxBlur.Blur(smoothBase, target, r, r);
            float toExemplar = n > 0 ? (float)Math.Clamp(options.HairShadingToExemplar, 0, 1) : 0;
            // Next to the seen hair the shading follows it (no step where the portrait's hair ends); the pull toward the
            // exemplar's mean grows over HairShadingDistance texels from there.
            var distance = TexelDistance(target, w, target.Length / w);
            float reach = Math.Max(1, options.HairShadingDistance);
            var shaded = image.Clone();
            for (int t = 0; t < count; t++)
            {
                if (!target[t]) continue;
                int x = t % w, y = t / w;
                var goal = Vector3.Lerp(wanted[x, y], exemplarMean, toExemplar * Math.Min(1, distance[t] / reach));
                shaded[x, y] = image[x, y] - low[x, y] + goal;
            }
            image = shaded;
        }
        if (options.HairStrandNoise > 0)
        {
            var noise = new HairNoise(seed, options.HairNoiseAcross, options.HairNoiseAlong);
            float amplitude = (float)(options.HairStrandNoise * colours.HairVariation);
            var noisy = image.Clone();
            for (int t = 0; t < count; t++)
                if (target[t]) noisy[t % w, t / w] = image[t % w, t / w] * (1 + amplitude * noise.At(surface.Point(t)));
            image = noisy;
        }
        for (int t = 0; t < count; t++)
            if (target[t]) image[t % w, t / w] = Vector3.Clamp(image[t % w, t / w], Vector3.Zero, Vector3.One);
        return image;
    }

    /// <summary>4-neighbour distance (texels) of each texel of <paramref name="inside"/> from the nearest texel outside it.</summary>
    private static float[] TexelDistance(bool[] inside, int w, int h)
    {
        var distance = new float[inside.Length];
        var queue = new Queue<int>();
        for (int t = 0; t < inside.Length; t++)
        {
            if (inside[t]) distance[t] = float.MaxValue;
            else queue.Enqueue(t);
        }
        while (queue.Count > 0)
        {
            int t = queue.Dequeue(), x = t % w, y = t / w;
            foreach (int n in new[] { x > 0 ? t - 1 : -1, x + 1 < w ? t + 1 : -1, y > 0 ? t - w : -1, y + 1 < h ? t + w : -1 })
            {
                if (n < 0 || distance[n] <= distance[t] + 1) continue;
                distance[n] = distance[t] + 1;
                queue.Enqueue(n);
            }
        }
        return distance;
    }

    private static (bool[] Mask, int Count) Seeds(bool[] known, Func<int, bool> predicate)
    {
        var mask = new bool[known.Length];
        int n = 0;
        for (int t = 0; t < known.Length; t++)
        {
            if (!known[t] || !predicate(t)) continue;
            mask[t] = true;
            n++;
        }
        return (mask, n);
    }

    /// <summary>Completed texels within <paramref name="width"/> of x = 0 move halfway (at the plane) toward their mirror's colour.</summary>
    private static void BlendAcrossPlane(RgbImage image, TexelSurface surface, FloatImage observedWeight, SymmetricTexelMap map, float width)
    {
        if (width <= 0) return;
        var original = image.Clone();
        int w = image.Width;
        for (int t = 0; t < map.Mirror.Length; t++)
        {
            int m = map.Mirror[t];
            if (m < 0 || !surface.Covered[t]) continue;
            float distance = Math.Abs(surface.Points[3 * t]);
            if (distance >= width) continue;
            float wo = observedWeight.Data[t];
            float a = 0.5f * (1 - distance / width) * (1 - wo);
            image[t % w, t / w] = Vector3.Lerp(original[t % w, t / w], original[m % w, m / w], a);
        }
    }
}
