using System.Text.Json;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.SuperResolution;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.SuperResolution;

/// <summary>
/// The ESRGAN port (esrgan-slim x2, x4) against the original TFJS layers models run by @tensorflow/tfjs 4.11 (CPU) on a
/// fixed pattern (Goldens/esrgan-slim-reference.json, made by infra/node/scripts/make-esrgan-goldens.mjs), and the
/// super-resolved crop's geometry.
/// </summary>
public sealed class EsrganPortTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Goldens", "esrgan-slim-reference.json"))).RootElement);

    private static string RequireModels()
    {
        var folder = EsrganModelLocator.TryResolve();
        if (folder is null) Assert.Fail($"@upscalerjs/esrgan-slim is missing under {EsrganModelLocator.RepoRelativePath}: run ./fc4d setup.");
        return folder!;
    }

    /// <summary>The generator script's pattern, planar RGB (0..255).</summary>
    private static RgbImageBuffer Pattern(int width, int height)
    {
        var image = new RgbImageBuffer(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                    image[c, y, x] = (float)Math.Round(128 + 110 * Math.Sin(0.37 * x * (c + 1) + 0.23 * y) * Math.Cos(0.29 * y - 0.17 * x * c), MidpointRounding.AwayFromZero);
        return image;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task The_port_matches_the_tfjs_model(int factor)
    {
        using var upscaler = new EsrganUpscaler(RequireModels(), torch.CPU);
        var g = Golden.Value;
        int w = g.GetProperty("width").GetInt32(), h = g.GetProperty("height").GetInt32();
        var got = await upscaler.UpscaleAsync(Pattern(w, h), factor, CancellationToken.None);
        var reference = g.GetProperty("models").GetProperty($"x{factor}");
        Assert.Equal([1, h * factor, w * factor, 3], reference.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var expected = reference.GetProperty("values").EnumerateArray().Select(e => e.GetSingle()).ToArray(); // NHWC
        Assert.Equal(w * factor, got.Width);
        Assert.Equal(h * factor, got.Height);
        double maxErr = 0;
        for (int y = 0; y < got.Height; y++)
            for (int x = 0; x < got.Width; x++)
                for (int c = 0; c < 3; c++)
                {
                    double e = Math.Clamp(expected[(y * got.Width + x) * 3 + c], 0, 255); // the upscaler clamps to the range
                    maxErr = Math.Max(maxErr, Math.Abs(got[c, y, x] - e));
                }
        output.WriteLine($"x{factor}: max |ours - tfjs| = {maxErr:E2} (0..255 scale; goldens rounded to 1e-3)");
        // float32 both sides, ~12 layers; 2e-3 of a grey level covers summation order and the goldens' rounding.
        Assert.True(maxErr < 2e-3, $"max error {maxErr}");
    }

    [Fact]
    public void The_factor_follows_the_enlargement()
    {
        using var upscaler = new EsrganUpscaler("/unused", torch.CPU);
        var resolver = new CropSuperResolver(upscaler, new SuperResolutionOptions());
        Assert.Equal(1, resolver.FactorFor(0.8));
        Assert.Equal(1, resolver.FactorFor(1.2));
        Assert.Equal(2, resolver.FactorFor(1.3));
        Assert.Equal(2, resolver.FactorFor(2.7));
        Assert.Equal(4, resolver.FactorFor(2.9));
        Assert.Equal(4, resolver.FactorFor(6));
        Assert.Equal(1, new CropSuperResolver(upscaler, new SuperResolutionOptions { Enabled = false }).FactorFor(3));
    }

    [Fact]
    public async Task The_super_resolved_crop_keeps_the_geometry_of_the_bilinear_crop()
    {
        using var upscaler = new EsrganUpscaler(RequireModels(), torch.CPU);
        var resolver = new CropSuperResolver(upscaler, new SuperResolutionOptions());
        // A 40 x 36 photo: smooth background with one bright square at photo (20..23, 14..17); the crop (96 px) enlarges
        // the photo 2.2x with a 10 degree rotation, so x2 is used.
        var photo = new RgbImageBuffer(40, 36);
        for (int y = 0; y < 36; y++)
            for (int x = 0; x < 40; x++)
                for (int c = 0; c < 3; c++)
                    photo[c, y, x] = x is >= 20 and < 24 && y is >= 14 and < 18 ? 250 : 40 + 2 * x + y + 20 * c;
        double s = 2.2, a = s * Math.Cos(0.1745), b = s * Math.Sin(0.1745);
        var photoToCrop = new SimilarityMap(a, b, 48 - (a * 21.5 - b * 15.5), 48 - (b * 21.5 + a * 15.5)); // square centre → crop centre

        var (crop, backend) = await resolver.WarpAsync(photo, photoToCrop, 96, BorderMode.Replicate, CancellationToken.None);
        var plain = AffineWarper.Warp(photo, photoToCrop.Inverse(), 96, 96, BorderMode.Replicate);
        Assert.Equal("esrgan-slim-x2", backend);

        (double X, double Y) Centroid(RgbImageBuffer img)
        {
            double sx = 0, sy = 0, sw = 0;
            for (int y = 0; y < 96; y++)
                for (int x = 0; x < 96; x++)
                {
                    double wgt = Math.Max(0, img[1, y, x] - 180); // green is 60..180 outside the square
                    sx += wgt * x; sy += wgt * y; sw += wgt;
                }
            return (sx / sw, sy / sw);
        }
        var (cx, cy) = Centroid(crop);
        var (px, py) = Centroid(plain);
        double meanDiff = 0;
        for (int i = 0; i < crop.Data.Length; i++) meanDiff += Math.Abs(crop.Data[i] - plain.Data[i]);
        meanDiff /= crop.Data.Length;
        output.WriteLine($"square centre: super-resolved ({cx:F2}, {cy:F2}), bilinear ({px:F2}, {py:F2}), expected (48, 48); mean |diff| {meanDiff:F2} grey levels");
        // The square's centre (photo pixel-centre coordinates 21.5, 15.5) maps to crop (48, 48).
        Assert.True(Math.Abs(cx - 48) < 0.25 && Math.Abs(cy - 48) < 0.25, $"({cx}, {cy})");
        Assert.True(Math.Abs(px - 48) < 0.25 && Math.Abs(py - 48) < 0.25, $"({px}, {py})");
        Assert.True(meanDiff < 6, $"mean difference {meanDiff}");

        var (same, none) = await resolver.WarpAsync(photo, new SimilarityMap(1, 0, -4, -2), 32, BorderMode.Replicate, CancellationToken.None);
        Assert.Equal(CropSuperResolver.NoneBackend, none);
        Assert.Equal(photo[0, 2, 4], same[0, 0, 0]);
    }

    [Fact]
    public async Task A_model_with_an_unported_layer_is_refused_by_name()
    {
        var folder = Directory.CreateTempSubdirectory("fc4d-esrgan-");
        try
        {
            var json = await File.ReadAllTextAsync(EsrganModelLocator.ModelJson(RequireModels(), 2));
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "model.json"), json.Replace("\"UpSampling2D\"", "\"Conv2DTranspose\""));
            var ex = await Assert.ThrowsAsync<InvalidDataException>(() => TfjsLayersModel.LoadAsync(Path.Combine(folder.FullName, "model.json"), "broken", CancellationToken.None));
            Assert.Contains("Conv2DTranspose", ex.Message);
        }
        finally
        {
            folder.Delete(true);
        }
    }
}
