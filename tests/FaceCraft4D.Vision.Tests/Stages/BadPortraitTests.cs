using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.Stages;

/// <summary>Photos that are not good portraits, through the Preprocess handler on a real Azurite: each works or fails with a clear reason.</summary>
public sealed class BadPortraitTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    public static TheoryData<string, string?> Cases => new()
    {
        // case, expected reason codes separated by '|' (null: the photo is processed, with a warning)
        { "no-face", "no-face" },
        { "smiley", "no-face" },
        { "grayscale", null },
        { "tiny-face", "face-too-small" },
        { "minute-face", "face-too-small|no-face" },
        { "rotated-90", null },
        { "not-an-image", "invalid-image" },
        { "truncated", "invalid-image" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_bad_portrait_works_or_fails_with_a_clear_stage_input_error(string name, string? expectedReason)
    {
        var photo = Make(name);
        using var harness = new StageHarness(azurite.CreateBlobStore());
        var settings = PipelinePresets.Preview;
        var runId = RunIdentity.For(ContentHash.Of(photo), settings);
        var portrait = await harness.Blobs.WriteAsync(StorageLayout.RunInput(runId, "portrait"), new BinaryData(photo), "application/octet-stream", CancellationToken.None);
        var inputs = new Dictionary<string, BlobRef> { [StageFiles.PortraitInput] = portrait };

        if (expectedReason is null)
        {
            var (result, elapsed) = await harness.RunAsync(PipelineStage.Preprocess, runId, "0", inputs, settings);
            output.WriteLine($"{name}: processed in {elapsed.TotalSeconds:F2} s; notes: {string.Join(" | ", result.Notes ?? [])}");
            Assert.Contains(StageFiles.Crop, result.Outputs.Keys);
            Assert.NotEmpty(result.Notes!); // grayscale and rotated photos carry a warning
        }
        else
        {
            var e = await Assert.ThrowsAsync<StageInputException>(() => harness.RunAsync(PipelineStage.Preprocess, runId, "0", inputs, settings));
            output.WriteLine($"{name}: {e.ReasonCode}: {e.Message}");
            Assert.Contains(e.ReasonCode, expectedReason.Split('|'));
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    private static byte[] Make(string name)
    {
        using var sample = Image.Load<Rgb24>(Path.Combine(TestAssets.RepoRoot(), "infra", "samples", "portrait.jpg"));
        switch (name)
        {
            case "no-face":
                return TestPortraits.Jpeg(11);
            case "smiley":
                return Png(Smiley(256));
            case "grayscale":
                using (var gray = sample.CloneAs<L8>()) return Png(gray);
            case "tiny-face":
                // The portrait shrunk to 192 px on a 512 px canvas: the face is about 45 pixels across (the minimum is 64).
                return Shrunk(sample, 192, 512);
            case "minute-face":
                // Shrunk to 96 px on 384: the face is about 22 pixels across, below what the detector finds at all.
                return Shrunk(sample, 96, 384);
            case "rotated-90":
                using (var turned = sample.Clone(c => c.Rotate(RotateMode.Rotate90))) return Png(turned);
            case "not-an-image":
                return System.Text.Encoding.UTF8.GetBytes("this is not a photo");
            case "truncated":
                var jpeg = File.ReadAllBytes(Path.Combine(TestAssets.RepoRoot(), "infra", "samples", "portrait.jpg"));
                return jpeg[..200];
            default:
                throw new ArgumentOutOfRangeException(nameof(name));
        }
    }

    private static byte[] Shrunk(Image<Rgb24> sample, int size, int canvasSize)
    {
        using var canvas = new Image<Rgb24>(canvasSize, canvasSize, new Rgb24(200, 200, 200));
        using var small = sample.Clone(c => c.Resize(size, size));
        canvas.Mutate(c => c.DrawImage(small, new Point((canvasSize - size) / 2, (canvasSize - size) / 2), 1f));
        return Png(canvas);
    }

    /// <summary>A drawn yellow smiley: circle face, two dot eyes, an arc mouth.</summary>
    private static Image<Rgb24> Smiley(int size)
    {
        var image = new Image<Rgb24>(size, size, new Rgb24(255, 255, 255));
        double c = size / 2.0, r = size * 0.4;
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            double dx = x - c, dy = y - c, d = Math.Sqrt(dx * dx + dy * dy);
            if (d < r) image[x, y] = new Rgb24(250, 215, 40);
            if (Math.Abs(d - r) < 3) image[x, y] = new Rgb24(0, 0, 0);
            foreach (var ex in new[] { -0.35, 0.35 })
                if (Math.Pow(x - (c + ex * r), 2) + Math.Pow(y - (c - 0.3 * r), 2) < Math.Pow(0.1 * r, 2)) image[x, y] = new Rgb24(0, 0, 0);
            double mouth = Math.Sqrt(dx * dx + Math.Pow(y - (c - 0.1 * r), 2));
            if (Math.Abs(mouth - 0.55 * r) < 3 && y > c + 0.1 * r) image[x, y] = new Rgb24(0, 0, 0);
        }
        return image;
    }

    private static byte[] Png(Image image)
    {
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder());
        return stream.ToArray();
    }
}
