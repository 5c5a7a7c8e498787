using FaceCraft4D.Vision.Preprocessing.Alignment;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Tests;

/// <summary>
/// Procedural aligned-crop scene: a person silhouette (hair cap, skin face, neck, shirt) with known ground-truth
/// mask over a cluttered background of random coloured rectangles, plus landmarks consistent with the face.
/// </summary>
public sealed record SyntheticPortrait(RgbImageBuffer Image, bool[] Truth, FaceLandmarks68 Landmarks)
{
    public static SyntheticPortrait Create(int seed, int size = 512)
    {
        var lm = AlignmentTests.LandmarksOnTargets(new FaceAligner(new AlignmentOptions { CropSize = size }));
        var img = new RgbImageBuffer(size, size);
        var truth = new bool[size * size];
        var rng = new Random(seed);
        // clutter: 60 random rectangles of random colours, then mild noise
        for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) Set(img, x, y, (90, 110, 100));
        for (int r = 0; r < 60; r++)
        {
            int x0 = rng.Next(size), y0 = rng.Next(size), w = rng.Next(20, 140), h = rng.Next(20, 140);
            var col = ((float)rng.Next(256), (float)rng.Next(256), (float)rng.Next(256));
            for (int y = y0; y < Math.Min(size, y0 + h); y++) for (int x = x0; x < Math.Min(size, x0 + w); x++) Set(img, x, y, col);
        }
        var (cx, cy) = lm.Mean(27, 30);
        var chin = lm[8];
        double faceW = lm[16].X - lm[0].X, faceH = chin.Y - lm.Mean(17, 26).Y;
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            (float, float, float)? c = null;
            double hx = (x - cx) / (0.62 * faceW), hy = (y - (cy - 0.25 * faceH)) / (0.95 * faceH);
            double fx = (x - cx) / (0.5 * faceW), fy = (y - (cy + 0.08 * faceH)) / (0.62 * faceH);
            bool shirt = y > chin.Y + 0.25 * faceH && Math.Abs(x - cx) < 0.55 * faceW + (y - chin.Y - 0.25 * faceH) * 1.2;
            bool neck = y > chin.Y - 0.3 * faceH && y <= chin.Y + 0.3 * faceH && Math.Abs(x - cx) < 0.28 * faceW;
            if (shirt) c = (40, 60, 160);
            if (neck) c = (200, 150, 120);
            if (hx * hx + hy * hy <= 1) c = (70, 45, 25);     // hair
            if (fx * fx + fy * fy <= 1) c = (225, 175, 145);  // face skin
            if (c is { } col) { Set(img, x, y, col); truth[y * size + x] = true; }
        }
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = Math.Clamp(img.Data[i] + (float)(rng.NextDouble() * 12 - 6), 0, 255);
        return new SyntheticPortrait(img, truth, lm);
    }

    private static void Set(RgbImageBuffer img, int x, int y, (float R, float G, float B) c)
    {
        img[0, y, x] = c.R; img[1, y, x] = c.G; img[2, y, x] = c.B;
    }
}
