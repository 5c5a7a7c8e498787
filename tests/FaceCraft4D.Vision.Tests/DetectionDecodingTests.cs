using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Networks;

namespace FaceCraft4D.Vision.Tests;

public sealed class DetectionDecodingTests
{
    [Fact]
    public void Decodes_one_confident_anchor_to_the_yolo_box()
    {
        const int cells = 4;
        var anchors = TinyFaceDetectorNetConfig.Official.Anchors;
        var output = new float[anchors.Count * 5 * cells * cells];
        Array.Fill(output, -10f); // objectness sigmoid(-10) ~ 0
        int a = 2, row = 1, col = 3, plane = cells * cells;
        void Set(int k, float v) => output[(a * 5 + k) * plane + row * cells + col] = v;
        Set(0, 0f); Set(1, 0f); Set(2, MathF.Log(0.5f)); Set(3, 0f); Set(4, 3f);
        var boxes = TinyFaceDetectorDecoder.Decode(output, cells, anchors, squareSide: 400, scoreThreshold: 0.5);
        var d = Assert.Single(boxes);
        double w = 0.5 * anchors[a].W / cells * 400, h = anchors[a].H / cells * 400;
        Assert.Equal((col + 0.5) / cells * 400 - w / 2, d.Box.X, 4);
        Assert.Equal((row + 0.5) / cells * 400 - h / 2, d.Box.Y, 4);
        Assert.Equal(w, d.Box.Width, 4);
        Assert.Equal(h, d.Box.Height, 4);
        Assert.Equal(1 / (1 + Math.Exp(-3)), d.Score, 6);
    }

    [Fact]
    public void Non_max_suppression_keeps_the_best_of_overlapping_boxes()
    {
        var kept = NonMaxSuppression.Apply(new[]
        {
            new FaceDetection(new FaceBox(0, 0, 100, 100), 0.7),
            new FaceDetection(new FaceBox(5, 5, 100, 100), 0.9),
            new FaceDetection(new FaceBox(300, 300, 50, 50), 0.6),
        }, 0.4);
        Assert.Equal(new[] { 0.9, 0.6 }, kept.Select(k => k.Score));
    }

    [Fact]
    public void Square_resampler_reproduces_the_image_at_unit_scale_and_pads_with_black()
    {
        var img = new RgbImageBuffer(4, 2);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = 10 + i;
        var out4 = SquareResampler.Resample(img, 0, 0, 4, 4, new PixelRect(0, 0, 4, 2));
        for (int c = 0; c < 3; c++)
        for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            Assert.Equal(y < 2 ? img[c, y, x] : 0f, out4[c * 16 + y * 4 + x], 4);
    }
}
