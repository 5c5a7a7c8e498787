using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;

namespace FaceCraft4D.Metrics.Tests.Networks;

/// <summary>The identity metrics' detector retry: a margin around tight head crops, boxes mapped back into the image.</summary>
public sealed class MarginRetryFaceDetectorTests
{
    /// <summary>
    /// Stands in for the tiny detector's blind spot: "finds" the face (a bright square) only when it covers at most
    /// <paramref name="maxFraction"/> of the image width; records every image it was given.
    /// </summary>
    private sealed class ScaleLimitedDetector(double maxFraction) : IFaceDetector
    {
        public List<RgbImageBuffer> Seen { get; } = [];
        public string BackendName => "scale-limited";

        public Task<IReadOnlyList<FaceDetection>> DetectAsync(RgbImageBuffer image, CancellationToken ct)
        {
            Seen.Add(image);
            int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
            for (int y = 0; y < image.Height; y++)
                for (int x = 0; x < image.Width; x++)
                    if (image[0, y, x] > 200 && image[1, y, x] > 200 && image[2, y, x] > 200)
                    {
                        x0 = Math.Min(x0, x); y0 = Math.Min(y0, y); x1 = Math.Max(x1, x); y1 = Math.Max(y1, y);
                    }
            IReadOnlyList<FaceDetection> none = [];
            if (x1 < 0 || (x1 - x0 + 1) > maxFraction * image.Width) return Task.FromResult(none);
            IReadOnlyList<FaceDetection> one = [new FaceDetection(new FaceBox(x0, y0, x1 - x0 + 1, y1 - y0 + 1), 0.9)];
            return Task.FromResult(one);
        }
    }

    /// <summary>A 100 x 80 image, background (40, 60, 80), with a white "face" at (30, 20) of 45 x 40.</summary>
    private static RgbImageBuffer TightCrop()
    {
        var image = new RgbImageBuffer(100, 80);
        for (int y = 0; y < 80; y++)
            for (int x = 0; x < 100; x++)
            {
                bool face = x >= 30 && x < 75 && y >= 20 && y < 60;
                image[0, y, x] = face ? 255 : 40; image[1, y, x] = face ? 255 : 60; image[2, y, x] = face ? 255 : 80;
            }
        return image;
    }

    [Fact]
    public async Task A_face_missed_in_a_tight_crop_is_found_on_the_padded_canvas_and_its_box_mapped_back()
    {
        var inner = new ScaleLimitedDetector(maxFraction: 0.3); // 45 px of 100 is too wide; of 200 (margin 0.5) it is not
        var detector = new MarginRetryFaceDetector(inner, 0.5);

        var faces = await detector.DetectAsync(TightCrop(), CancellationToken.None);

        var face = Assert.Single(faces);
        Assert.Equal(new FaceBox(30, 20, 45, 40), face.Box);
        Assert.Equal(0.9, face.Score);
        Assert.Equal(2, inner.Seen.Count);
        var canvas = inner.Seen[1];
        Assert.Equal((200, 160), (canvas.Width, canvas.Height));
        Assert.Equal(40f, canvas[0, 0, 0]); Assert.Equal(60f, canvas[1, 0, 0]); Assert.Equal(80f, canvas[2, 0, 0]); // border-mean fill
        Assert.Equal(255f, canvas[0, 40 + 20, 50 + 30]);                                                         // image placed at (50, 40)
    }

    [Fact]
    public async Task A_face_found_directly_is_returned_as_the_inner_detector_gave_it_without_a_retry()
    {
        var inner = new ScaleLimitedDetector(maxFraction: 0.6);
        var faces = await new MarginRetryFaceDetector(inner, 0.5).DetectAsync(TightCrop(), CancellationToken.None);

        Assert.Equal(new FaceBox(30, 20, 45, 40), Assert.Single(faces).Box);
        Assert.Single(inner.Seen);
    }

    [Fact]
    public async Task Margin_zero_turns_the_retry_off()
    {
        var inner = new ScaleLimitedDetector(maxFraction: 0.3);
        var faces = await new MarginRetryFaceDetector(inner, 0).DetectAsync(TightCrop(), CancellationToken.None);

        Assert.Empty(faces);
        Assert.Single(inner.Seen);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarginRetryFaceDetector(inner, -0.1));
    }

    [Fact]
    public void Border_mean_averages_only_the_outermost_pixels()
    {
        var image = new RgbImageBuffer(4, 3);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                image[0, y, x] = y == 1 && (x == 1 || x == 2) ? 1000 : 10; // the two interior pixels must not count
        var mean = MarginRetryFaceDetector.BorderMean(image);
        Assert.Equal(10f, mean[0], 4);
        Assert.Equal(0f, mean[1], 4);
    }
}
