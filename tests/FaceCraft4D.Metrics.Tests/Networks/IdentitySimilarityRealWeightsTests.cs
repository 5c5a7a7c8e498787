using System.Text.Json;
using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Metrics.Tests.Networks;

/// <summary>The face-api.js recognition pipeline with the real npm weights on the sample portrait.</summary>
public sealed class IdentitySimilarityRealWeightsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FaceDescriptorExtractor? extractor;
    private FaceDescriptor? reference;

    public async Task InitializeAsync()
    {
        var folder = TestAssets.RequireFaceModels();
        extractor = await FaceDescriptorExtractor.LoadAsync(new IdentitySimilarityOptions { FaceModelsPath = folder }, torch.CPU, CancellationToken.None);
        using var portrait = TestAssets.LoadPortrait();
        reference = await extractor.DescribeAsync(RgbImageBuffer.FromImage(portrait), CancellationToken.None);
        Assert.NotNull(reference);
    }

    public Task DisposeAsync()
    {
        extractor?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Portrait_MatchesTheFaceApiJsDescriptor()
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(TestAssets.Golden("face-recognition-reference.json")));
        var p = golden.RootElement.GetProperty("portrait");
        var expected = p.GetProperty("descriptor").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var box = p.GetProperty("descriptorBox").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double cos = FaceDescriptor.Cosine(expected, reference!.Values);
        double dist = new FaceDescriptor(expected, default, 1).EuclideanDistance(reference);
        output.WriteLine($"vs face-api.js: cosine {cos:F5}, euclidean {dist:F4}; box {reference.CropBox} vs [{string.Join(", ", box.Select(v => v.ToString("F1")))}]");
        // end to end the landmark port differs from face-api.js by ~0.6 px, which can move the crop box by a pixel
        Assert.True(cos > 0.995, $"cosine {cos}");
        Assert.InRange(reference.CropBox.X, box[0] - 2, box[0] + 2);
        Assert.InRange(reference.CropBox.Y, box[1] - 2, box[1] + 2);
        Assert.InRange(reference.CropBox.Width, box[2] - 2, box[2] + 2);

        // with face-api.js' own crop box the descriptor is reproduced; what is left comes from JPEG decoding (the golden
        // used ImageMagick's libjpeg pixels, ImageSharp's differ by 0.035 levels on average, 3 at most)
        using var portrait = TestAssets.LoadPortrait();
        var faceApiBox = new FaceBox(box[0], box[1], box[2], box[3]);
        var same = extractor!.DescribeCrop(RgbImageBuffer.FromImage(portrait), faceApiBox);
        double maxDiff = expected.Zip(same, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"same crop box: max |diff| {maxDiff:E2}, cosine {FaceDescriptor.Cosine(expected, same):F6}");
        Assert.True(maxDiff < 3e-3, $"max |diff| {maxDiff}");
        Assert.True(FaceDescriptor.Cosine(expected, same) > 0.99999);
    }

    public static TheoryData<string> SameFaceVariants => new() { "downscaled", "shifted-crop", "brighter", "jpeg-q30", "rotated-8deg", "mirrored" };

    [Theory]
    [MemberData(nameof(SameFaceVariants))]
    public async Task TransformedCropsOfTheSameFace_AreHighlySimilar(string variant)
    {
        using var portrait = TestAssets.LoadPortrait();
        using var image = Transform(portrait, variant);
        var d = await extractor!.DescribeAsync(RgbImageBuffer.FromImage(image), CancellationToken.None);
        Assert.NotNull(d);
        double cos = d!.CosineSimilarity(reference!);
        output.WriteLine($"{variant}: cosine {cos:F4}, euclidean {d.EuclideanDistance(reference!):F4}");
        Assert.True(cos > 0.9, $"{variant}: cosine {cos}");
        Assert.True(d.EuclideanDistance(reference!) < 0.45, "face-api.js treats < 0.6 as the same person");
    }

    [Fact]
    public void DifferentImages_AreMuchLessSimilar()
    {
        using var portrait = TestAssets.LoadPortrait();
        var buffer = RgbImageBuffer.FromImage(portrait);
        // same face through the explicit-crop path, then non-face content of the same size
        var face = new FaceDescriptor(extractor!.DescribeCrop(buffer, reference!.CropBox), reference.CropBox, 1);
        Assert.True(face.CosineSimilarity(reference) > 0.999);
        var sizes = (int)reference.CropBox.Width;
        var others = new Dictionary<string, RgbImageBuffer>
        {
            ["background-top-left"] = buffer,
            ["suit-and-flag-bottom"] = buffer,
            ["cartoon-face"] = CartoonFace(256),
            ["noise"] = Noise(256, seed: 3),
        };
        var boxes = new Dictionary<string, FaceBox>
        {
            ["background-top-left"] = new(0, 0, sizes, sizes),
            ["suit-and-flag-bottom"] = new(300, 512 - sizes, sizes, sizes),
            ["cartoon-face"] = new(40, 40, 176, 176),
            ["noise"] = new(0, 0, 256, 256),
        };
        var results = others.Select(kv =>
        {
            var d = new FaceDescriptor(extractor.DescribeCrop(kv.Value, boxes[kv.Key]), boxes[kv.Key], 1);
            output.WriteLine($"{kv.Key}: cosine {d.CosineSimilarity(reference):F4}, euclidean {d.EuclideanDistance(reference):F4}");
            return (Name: kv.Key, Cos: d.CosineSimilarity(reference), Dist: d.EuclideanDistance(reference));
        }).ToList();
        foreach (var r in results)
        {
            Assert.True(r.Cos < 0.95, $"{r.Name}: cosine {r.Cos}");
            Assert.True(r.Dist > 0.6, $"{r.Name}: distance {r.Dist}");
        }
    }

    [Fact]
    public async Task NoFace_GivesNoDescriptor()
    {
        var d = await extractor!.DescribeAsync(Noise(320, seed: 9), CancellationToken.None);
        Assert.Null(d);
    }

    internal static Image<Rgb24> Transform(Image<Rgb24> portrait, string variant)
    {
        switch (variant)
        {
            case "downscaled": return portrait.Clone(c => c.Resize(300, 300, KnownResamplers.Bicubic));
            case "shifted-crop": return portrait.Clone(c => c.Crop(new Rectangle(60, 20, 420, 440)));
            case "brighter": return portrait.Clone(c => c.Brightness(1.2f).Contrast(0.85f));
            case "rotated-8deg": return portrait.Clone(c => c.Rotate(8, KnownResamplers.Bicubic).Resize(512, 512));
            case "mirrored": return portrait.Clone(c => c.Flip(FlipMode.Horizontal));
            case "jpeg-q30":
            {
                using var ms = new MemoryStream();
                portrait.Save(ms, new JpegEncoder { Quality = 30 });
                ms.Position = 0;
                return Image.Load<Rgb24>(ms);
            }
            default: throw new ArgumentOutOfRangeException(nameof(variant));
        }
    }

    private static RgbImageBuffer Noise(int size, int seed)
    {
        var rng = new Random(seed);
        var b = new RgbImageBuffer(size, size);
        for (int i = 0; i < b.Data.Length; i++) b.Data[i] = rng.Next(256);
        return b;
    }

    /// <summary>A flat drawn face: skin ellipse, dark eyes, brows, nose line and mouth on a grey background.</summary>
    private static RgbImageBuffer CartoonFace(int size)
    {
        var b = new RgbImageBuffer(size, size);
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            double u = (x - size / 2.0) / (size * 0.3), v = (y - size / 2.0) / (size * 0.4);
            (float R, float G, float B) c = (150, 150, 160);
            if (u * u + v * v < 1) c = (235, 190, 160);
            bool eye = Math.Pow((Math.Abs(x - size / 2.0) - size * 0.12) / (size * 0.04), 2) + Math.Pow((y - size * 0.42) / (size * 0.025), 2) < 1;
            bool brow = Math.Abs(Math.Abs(x - size / 2.0) - size * 0.12) < size * 0.06 && Math.Abs(y - size * 0.36) < size * 0.012;
            bool nose = Math.Abs(x - size / 2.0) < size * 0.012 && y > size * 0.45 && y < size * 0.58;
            bool mouth = Math.Abs(x - size / 2.0) < size * 0.1 && Math.Abs(y - size * 0.68) < size * 0.015;
            if (eye || brow) c = (40, 30, 30);
            if (nose) c = (200, 150, 130);
            if (mouth) c = (170, 60, 60);
            b[0, y, x] = c.R; b[1, y, x] = c.G; b[2, y, x] = c.B;
        }
        return b;
    }
}
