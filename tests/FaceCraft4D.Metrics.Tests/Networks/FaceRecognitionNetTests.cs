using System.Text.Json;
using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Tfjs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Tests.Networks;

public class FaceRecognitionNetTests
{
    private static readonly FaceRecognitionNetConfig Tiny = new([4, 8, 16, 32], 16, 150);

    /// <summary>Same formula as the golden script (integer RGB pattern, HWC → planar).</summary>
    internal static float[] Pattern(int size)
    {
        var planar = new float[3 * size * size];
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        for (int c = 0; c < 3; c++)
            planar[c * size * size + y * size + x] = MathF.Round((float)(128 + 100 * Math.Sin(0.05 * x * (c + 1) + 0.03 * y) * Math.Cos(0.04 * y - 0.02 * x * c)));
        return planar;
    }

    [Fact]
    public void TinyConfiguration_RunsForward_WithTheRightShapes()
    {
        using var net = new FaceRecognitionNet(Tiny);
        using var g = new Generator(1, CPU);
        using var x = torch.randn(new long[] { 2, 3, 150, 150 }, generator: g);
        using var _ = torch.no_grad();
        using var y = net.forward(x);
        Assert.Equal(new long[] { 2, 16 }, y.shape);
        Assert.True(y.isfinite().all().item<bool>());
        // 29 conv layers x 4 tensors + fc, as in face_recognition_model
        Assert.Equal(29 * 4 + 1, net.Bindings().Count());
    }

    [Fact]
    public void OfficialConfiguration_HasTheNamesAndShapesOfTheShippedManifest()
    {
        var folder = TestAssets.RequireFaceModels();
        var manifest = TfjsWeightsManifest.Parse(File.ReadAllText(Path.Combine(folder, FaceDescriptorExtractor.ManifestFileName)));
        var shipped = manifest.Groups.SelectMany(g => g.Weights).ToDictionary(w => w.Name, w => w.Shape);
        using var net = new FaceRecognitionNet(FaceRecognitionNetConfig.Official);
        var bindings = net.Bindings().ToList();
        Assert.Equal(shipped.Keys.OrderBy(k => k, StringComparer.Ordinal), bindings.Select(b => b.TfjsName).OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public async Task TfjsWeights_WrittenWithOfficialNames_RoundTrip_EveryTensorConsumed()
    {
        using var dir = new TempDirectory();
        using var original = new FaceRecognitionNet(Tiny);
        await TfjsFixtureWriter.WriteAsync(dir.Path, "face_recognition_model", original.Bindings());
        var weights = await TfjsWeightsReader.ReadAsync(Path.Combine(dir.Path, "face_recognition_model-weights_manifest.json"), CancellationToken.None);
        using var fresh = new FaceRecognitionNet(Tiny);
        fresh.LoadTfjsWeights(weights); // strict: throws when a weight is missing or unused
        using var g = new Generator(2, CPU);
        using var x = torch.randn(new long[] { 1, 3, 150, 150 }, generator: g);
        using var _ = torch.no_grad();
        using var a = original.forward(x);
        using var b = fresh.forward(x);
        Assert.True(a.allclose(b, rtol: 0, atol: 1e-6));

        var extra = new Dictionary<string, TfjsTensor>(weights) { ["stray/weight"] = new TfjsTensor("stray/weight", [1], [0f]) };
        var ex = Assert.Throws<InvalidDataException>(() => new FaceRecognitionNet(Tiny).LoadTfjsWeights(extra));
        Assert.Contains("stray/weight", ex.Message);
    }

    [Fact]
    public async Task RealWeights_ReproduceFaceApiJs_OnAFixedPattern()
    {
        var folder = TestAssets.RequireFaceModels();
        var weights = await TfjsWeightsReader.ReadAsync(Path.Combine(folder, FaceDescriptorExtractor.ManifestFileName), CancellationToken.None);
        using var net = new FaceRecognitionNet(FaceRecognitionNetConfig.Official);
        net.LoadTfjsWeights(weights);
        net.eval();
        using var golden = JsonDocument.Parse(File.ReadAllText(TestAssets.Golden("face-recognition-reference.json")));
        var expected = golden.RootElement.GetProperty("patternDescriptor").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        using var _ = torch.no_grad();
        using var input = Vision.Preprocessing.Networks.NetworkInput.Normalise(Pattern(150), 150, FaceRecognitionNetConfig.MeanRgb, CPU);
        var actual = net.forward(input).data<float>().ToArray();
        Assert.Equal(128, actual.Length);
        double maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDiff < 1e-4, $"max |diff| vs face-api.js {maxDiff}");
    }
}
