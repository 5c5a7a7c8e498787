using FaceCraft4D.Vision.Preprocessing.Alignment;
using FaceCraft4D.Vision.Preprocessing.Camera;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Tests;

public sealed class AlignmentTests
{
    /// <summary>Crop-space landmarks whose eye and mouth centres sit exactly on the aligner's targets.</summary>
    internal static FaceLandmarks68 LandmarksOnTargets(FaceAligner aligner)
    {
        var t = aligner.Targets();
        var xy = new float[136];
        // frontal generic face, scaled to the crop (y flipped: image y points down)
        for (int i = 0; i < 68; i++)
        {
            var p = MeanFace3D.Points[i];
            xy[2 * i] = (float)(256 + p.X * 1.3); xy[2 * i + 1] = (float)(256 - p.Y * 1.3);
        }
        var lm = new FaceLandmarks68(xy);
        void ShiftGroup(int from, int to, (double X, double Y) centre, (double X, double Y) target)
        {
            for (int i = from; i <= to; i++) { xy[2 * i] += (float)(target.X - centre.X); xy[2 * i + 1] += (float)(target.Y - centre.Y); }
        }
        ShiftGroup(36, 41, lm.RightEyeCentre, t[0]);
        ShiftGroup(42, 47, lm.LeftEyeCentre, t[1]);
        ShiftGroup(48, 67, lm.Mean(48, 59), t[2]); // inner lips move with the outer contour
        return new FaceLandmarks68(xy);
    }

    [Theory]
    [InlineData(0.7, 23.0, 140.0, -35.0)]
    [InlineData(2.3, -41.0, -80.0, 300.0)]
    [InlineData(1.0, 0.0, 0.0, 0.0)]
    public void Recovers_a_synthetic_similarity_and_maps_landmarks_onto_the_targets(double scale, double angleDeg, double tx, double ty)
    {
        var aligner = new FaceAligner(new AlignmentOptions());
        var crop = LandmarksOnTargets(aligner);
        double a = scale * Math.Cos(angleDeg * Math.PI / 180), b = scale * Math.Sin(angleDeg * Math.PI / 180);
        var photoToCrop = new SimilarityMap(a, b, tx, ty);
        var cropToPhoto = photoToCrop.Inverse();
        var photo = crop.Transform((x, y) => cropToPhoto.Apply(x, y));

        var estimated = aligner.Estimate(photo);

        Assert.Equal(photoToCrop.A, estimated.A, 6);
        Assert.Equal(photoToCrop.B, estimated.B, 6);
        Assert.Equal(photoToCrop.Tx, estimated.Tx, 3);
        Assert.Equal(photoToCrop.Ty, estimated.Ty, 3);
        var mapped = photo.Transform((x, y) => estimated.Apply(x, y));
        var targets = aligner.Targets();
        Assert.True(Dist(mapped.RightEyeCentre, targets[0]) < 0.5);
        Assert.True(Dist(mapped.LeftEyeCentre, targets[1]) < 0.5);
        Assert.True(Dist(mapped.MouthCentre, targets[2]) < 0.5);
        for (int i = 0; i < 68; i++) Assert.True(Dist(mapped[i], crop[i]) < 0.5, $"landmark {i}");
    }

    [Fact]
    public void Warp_resamples_the_photo_through_the_inverse_map()
    {
        // smooth colour field in photo space; the crop must show it at the mapped positions
        const int W = 300, H = 240;
        static float F(int c, double x, double y) => (float)(100 + 60 * Math.Sin(0.03 * x + c) + 50 * Math.Cos(0.025 * y - c));
        var photo = new RgbImageBuffer(W, H);
        for (int c = 0; c < 3; c++) for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) photo[c, y, x] = F(c, x, y);
        var photoToCrop = new SimilarityMap(1.4 * Math.Cos(0.3), 1.4 * Math.Sin(0.3), -60, -20);
        var crop = AffineWarper.Warp(photo, photoToCrop.Inverse(), 128, 128, BorderMode.White);
        var inv = photoToCrop.Inverse();
        int checkedPixels = 0;
        for (int y = 0; y < 128; y += 7)
        for (int x = 0; x < 128; x += 7)
        {
            var (u, v) = inv.Apply(x, y);
            for (int c = 0; c < 3; c++)
            {
                if (u < -0.6 || v < -0.6 || u > W - 0.4 || v > H - 0.4) { Assert.Equal(255f, crop[c, y, x]); continue; }
                if (u < 1 || v < 1 || u > W - 2 || v > H - 2) continue; // edge band: clamped interpolation
                Assert.InRange(crop[c, y, x] - F(c, u, v), -1.5f, 1.5f);
                checkedPixels++;
            }
        }
        Assert.True(checkedPixels > 100);
    }

    [Theory]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(270)]
    public void Quarter_turn_map_agrees_with_the_pixel_rotation(int degrees)
    {
        var img = new RgbImageBuffer(5, 3);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = i;
        var turned = QuarterTurn.Rotate(img, degrees);
        var map = QuarterTurn.Map(degrees, 5, 3);
        for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++)
        {
            var (u, v) = map.Apply(x, y);
            Assert.Equal(img[1, y, x], turned[1, (int)Math.Round(v), (int)Math.Round(u)]);
        }
        Assert.Equal(degrees == 180 ? 5 : 3, turned.Width);
    }

    private static double Dist((double X, double Y) a, (double X, double Y) b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
}
