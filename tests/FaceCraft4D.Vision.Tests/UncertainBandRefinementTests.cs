using FaceCraft4D.Vision.Preprocessing.Alignment;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Vision.Preprocessing.Matting;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests;

/// <summary>
/// <see cref="UncertainBandRefinement"/> on a synthetic portrait whose "net probability" is given: a face, a hair cap
/// whose outer ring the net is unsure of, and a textured grey background patch beside and above the head, attached to
/// the hair, that the net half-takes for person (as on the Martin Luther King tracing).
/// </summary>
public sealed class UncertainBandRefinementTests
{
    private const int Size = 128;
    private readonly ITestOutputHelper output;

    public UncertainBandRefinementTests(ITestOutputHelper output) => this.output = output;

    private enum Region : byte { Background, Patch, HairRing, Hair, Face }

    private sealed record Scene(RgbImageBuffer Image, Region[] Regions, double[] Probability, FaceLandmarks68 Landmarks, bool[] Seeds);

    private static Scene Build(bool withPatch)
    {
        var options = new MattingOptions();
        const double toSize = Size / 512.0; // the generic frontal face of a 512 px crop, scaled to this crop
        var lm = AlignmentTests.LandmarksOnTargets(new FaceAligner(new AlignmentOptions { CropSize = 512 }))
            .Transform((x, y) => ((x + 0.5) * toSize - 0.5, (y + 0.5) * toSize - 0.5));
        var (cx, cy) = lm.Mean(27, 30);
        double faceW = lm[16].X - lm[0].X, faceH = lm[8].Y - lm.Mean(17, 26).Y;
        var image = new RgbImageBuffer(Size, Size);
        var regions = new Region[Size * Size];
        var p = new double[Size * Size];
        var rng = new Random(7);
        for (int y = 0; y < Size; y++)
        for (int x = 0; x < Size; x++)
        {
            int i = y * Size + x;
            double hx = (x - cx) / (0.62 * faceW), hy = (y - (cy - 0.25 * faceH)) / (0.95 * faceH);
            double hair = Math.Sqrt(hx * hx + hy * hy);
            double fx = (x - cx) / (0.5 * faceW), fy = (y - (cy + 0.08 * faceH)) / (0.62 * faceH);
            Region r = fx * fx + fy * fy <= 1 ? Region.Face
                : hair <= 0.88 ? Region.Hair
                : hair <= 1 ? Region.HairRing
                : withPatch && x < cx && y < cy && hair <= 1.9 ? Region.Patch
                : Region.Background;
            (float R, float G, float B) c = r switch
            {
                Region.Face => (225, 175, 145),
                Region.Hair or Region.HairRing => (70, 45, 25),
                Region.Patch => ((x / 3 + y / 3) % 2 == 0 ? (105f, 105f, 105f) : (150f, 150f, 150f)), // textured grey
                _ => (205, 205, 200),
            };
            float n() => (float)(rng.NextDouble() * 10 - 5);
            image[0, y, x] = c.R + n(); image[1, y, x] = c.G + n(); image[2, y, x] = c.B + n();
            regions[i] = r;
            p[i] = r switch { Region.Face or Region.Hair => 0.95, Region.HairRing or Region.Patch => 0.6, _ => 0.05 };
        }
        var hull = PortraitTrimap.ConvexHull(Enumerable.Range(0, 27).Select(k => lm[k]).ToList());
        double mx = hull.Average(q => q.X), my = hull.Average(q => q.Y);
        var core = hull.Select(q => (mx + (q.X - mx) * options.FaceCoreShrink, my + (q.Y - my) * options.FaceCoreShrink)).ToList();
        var seeds = new bool[Size * Size];
        for (int y = 0; y < Size; y++)
        for (int x = 0; x < Size; x++)
            seeds[y * Size + x] = PortraitTrimap.Inside(core, x, y);
        return new Scene(image, regions, p, lm, seeds);
    }

    private static double Kept(bool[] mask, Region[] regions, Region which)
    {
        int n = 0, kept = 0;
        for (int i = 0; i < mask.Length; i++)
            if (regions[i] == which) { n++; if (mask[i]) kept++; }
        return (double)kept / n;
    }

    [Fact]
    public void Refinement_drops_the_textured_background_patch_and_keeps_the_hair()
    {
        var scene = Build(withPatch: true);
        var refinement = new UncertainBandRefinement(new SelfieRefinementOptions(), new MattingOptions());
        var thresholded = MaskComponents.KeepTouching(scene.Probability.Select((v, i) => v >= 0.5 || scene.Seeds[i]).ToArray(), Size, Size, scene.Seeds);
        var (refined, rejected) = refinement.Refine(scene.Image, scene.Landmarks, scene.Probability, scene.Seeds, CancellationToken.None);
        var person = MaskComponents.KeepTouching(refined, Size, Size, scene.Seeds);
        output.WriteLine($"patch kept: before {Kept(thresholded, scene.Regions, Region.Patch):P1}, after {Kept(person, scene.Regions, Region.Patch):P1}; " +
                         $"hair ring kept {Kept(person, scene.Regions, Region.HairRing):P1}, hair {Kept(person, scene.Regions, Region.Hair):P1}, face {Kept(person, scene.Regions, Region.Face):P1}");
        Assert.True(Kept(thresholded, scene.Regions, Region.Patch) > 0.99, "the net's mask alone keeps the attached patch (the case being fixed)");
        Assert.True(Kept(person, scene.Regions, Region.Patch) < 0.03, $"patch kept {Kept(person, scene.Regions, Region.Patch):P1}");
        Assert.True(Kept(person, scene.Regions, Region.HairRing) > 0.97, $"hair ring kept {Kept(person, scene.Regions, Region.HairRing):P1}");
        Assert.Equal(1.0, Kept(person, scene.Regions, Region.Hair));
        Assert.Equal(1.0, Kept(person, scene.Regions, Region.Face));
        // the rejected pixels are the open ones given to the background: (nearly) the patch, never the sure hair
        for (int i = 0; i < rejected.Length; i++)
            if (rejected[i]) Assert.True(scene.Probability[i] is > 0.2 and < 0.8);
    }

    [Fact]
    public void A_confident_net_leaves_the_mask_unchanged()
    {
        var scene = Build(withPatch: false);
        var confident = scene.Probability.Select(v => v >= 0.5 ? 0.95 : 0.05).ToArray();
        var refinement = new UncertainBandRefinement(new SelfieRefinementOptions(), new MattingOptions());
        var (refined, rejected) = refinement.Refine(scene.Image, scene.Landmarks, confident, scene.Seeds, CancellationToken.None);
        for (int i = 0; i < refined.Length; i++) Assert.Equal(confident[i] >= 0.5 || scene.Seeds[i], refined[i]);
        Assert.DoesNotContain(true, rejected);
    }
}
