using System.Text.Json;
using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Metrics.Identity.FaceRes;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Metrics.Tests.Networks;

/// <summary>
/// The second identity model: the faceres port against the original TFJS graph (Goldens/faceres-reference.json, made by
/// infra/node/scripts/make-human-goldens.mjs on @tensorflow/tfjs CPU), and a sanity check of the descriptor on the
/// sample portrait against drawn faces and noise.
/// </summary>
public sealed class FaceResTests
{
    /// <summary>
    /// Stated tolerance: |torch - tfjs| per descriptor component (pooled ReLU6 features, 0..6; goldens rounded to 1e-5).
    /// Measured max 5e-6 on both inputs.
    /// </summary>
    private const double GoldenTolerance = 1e-4;
    private readonly ITestOutputHelper output;

    public FaceResTests(ITestOutputHelper output) => this.output = output;

    private static string RequireFaceResFolder() =>
        HumanModelsLocator.TryResolve(null, FaceResModel.ModelFile) ?? throw new InvalidOperationException(
            $"@vladmandic/human weights are missing: {HumanModelsLocator.InstallHint}.");

    [Fact]
    public async Task FaceRes_port_matches_the_tfjs_graph_on_fixed_inputs()
    {
        using var golden = JsonDocument.Parse(await File.ReadAllTextAsync(TestAssets.Golden("faceres-reference.json")));
        using var net = await FaceResModel.LoadAsync(RequireFaceResFolder(), torch.CPU, CancellationToken.None);
        foreach (var key in new[] { "pattern", "blob" })
        {
            var nhwc = key == "pattern" ? Pattern(224) : BlobScene(224);
            using var _ = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var x = torch.tensor(nhwc, new long[] { 1, 224, 224, 3 }).permute(0, 3, 1, 2).contiguous(); // [1, 3, 224, 224] 0..255
            var got = net.Descriptor(x).data<float>().ToArray();                                        // [1, 1024]
            var (gender, age) = net.AgeGender(x);
            var g = golden.RootElement.GetProperty(key);
            var expected = g.GetProperty("descriptor").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(expected.Length, got.Length);
            double maxErr = got.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"{key}: max |torch - tfjs| {maxErr:E2} over {got.Length} (max value {expected.Max():F3}); gender {gender.item<float>():F5} vs {g.GetProperty("gender").GetDouble():F5}");
            Assert.True(maxErr < GoldenTolerance, $"{key}: max error {maxErr}");
            Assert.True(Math.Abs(gender.item<float>() - g.GetProperty("gender").GetDouble()) < 1e-4);
            Assert.Equal(g.GetProperty("ageArgmax").GetInt32(), (int)age.argmax(-1).item<long>());
        }
    }

    [Fact]
    public async Task Same_person_is_more_similar_than_drawn_faces_and_noise()
    {
        using var embedder = await FaceResEmbedder.LoadAsync(new IdentitySimilarityOptions { FaceModelsPath = TestAssets.RequireFaceModels() }, torch.CPU, CancellationToken.None);
        using var portrait = TestAssets.LoadPortrait();
        var reference = await embedder.DescribeAsync(RgbImageBuffer.FromImage(portrait), CancellationToken.None);
        Assert.NotNull(reference);
        Assert.Equal(1024, reference!.Values.Length);
        var same = new List<double>();
        foreach (var variant in new[] { "shifted-crop", "mirrored" })
        {
            using var image = IdentitySimilarityRealWeightsTests.Transform(portrait, variant);
            var d = await embedder.DescribeAsync(RgbImageBuffer.FromImage(image), CancellationToken.None);
            Assert.NotNull(d);
            same.Add(d!.CosineSimilarity(reference));
            output.WriteLine($"same person, {variant}: cosine {same[^1]:F4}");
        }
        var other = new List<double>();
        foreach (var (name, crop) in new[] { ("drawn-face-a", DrawnFace(224, 0.22, 0.30, 0.09)), ("drawn-face-b", DrawnFace(224, 0.27, 0.26, 0.07)), ("noise", Noise(224, 5)) })
        {
            other.Add(FaceDescriptor.Cosine(embedder.Embed(crop), reference.Values));
            output.WriteLine($"other: {name}: cosine {other[^1]:F4}");
        }
        Assert.True(same.Min() > 0.9, $"same-person cosines {string.Join(", ", same)}");
        Assert.True(same.Min() - other.Max() > 0.15, $"same {same.Min():F3} vs other {other.Max():F3}");
    }

    /// <summary>Same integer pattern as the generator script (NHWC).</summary>
    private static float[] Pattern(int size)
    {
        var v = new float[size * size * 3];
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        for (int c = 0; c < 3; c++)
            v[(y * size + x) * 3 + c] = (float)Math.Round(128 + 100 * Math.Sin(0.05 * x * (c + 1) + 0.03 * y) * Math.Cos(0.04 * y - 0.02 * x * c), MidpointRounding.AwayFromZero);
        return v;
    }

    /// <summary>The script's blob scene (NHWC, 0..255).</summary>
    private static float[] BlobScene(int size)
    {
        var v = new float[size * size * 3];
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            double hx = (x - size * 0.5) / (size * 0.2), hy = (y - size * 0.4) / (size * 0.26);
            bool head = hx * hx + hy * hy <= 1;
            bool torso = y > size * 0.68 && Math.Abs(x - size * 0.5) < size * 0.12 + (y - size * 0.68) * 1.2;
            float[] rgb = head ? [205, 160, 135] : torso ? [60, 70, 110] : [150, 170, 190];
            for (int c = 0; c < 3; c++) v[(y * size + x) * 3 + c] = rgb[c];
        }
        return v;
    }

    private static RgbImageBuffer Noise(int size, int seed)
    {
        var rng = new Random(seed);
        var b = new RgbImageBuffer(size, size);
        for (int i = 0; i < b.Data.Length; i++) b.Data[i] = rng.Next(256);
        return b;
    }

    /// <summary>A flat drawn face filling the crop like faceres' input: skin ellipse (semi-axes ax, ay), eyes at ±eyeOffset, mouth.</summary>
    private static RgbImageBuffer DrawnFace(int size, double ax, double ay, double eyeOffset)
    {
        var b = new RgbImageBuffer(size, size);
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            double u = (x - size / 2.0) / (size * ax), v = (y - size * 0.5) / (size * ay);
            (float R, float G, float B) c = (150, 150, 160);
            if (u * u + v * v < 1) c = (235, 190, 160);
            bool eye = Math.Pow((Math.Abs(x - size / 2.0) - size * eyeOffset) / (size * 0.03), 2) + Math.Pow((y - size * 0.44) / (size * 0.02), 2) < 1;
            bool mouth = Math.Abs(x - size / 2.0) < size * 0.07 && Math.Abs(y - size * 0.66) < size * 0.012;
            if (eye) c = (40, 30, 30);
            if (mouth) c = (150, 60, 60);
            b[0, y, x] = c.R; b[1, y, x] = c.G; b[2, y, x] = c.B;
        }
        return b;
    }
}
