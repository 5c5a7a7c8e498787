using System.Text.Json;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Vision.Preprocessing.Networks;
using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests;

/// <summary>
/// The TorchSharp ports reproduce the upstream face-api.js networks (tfjs CPU backend, same weights): raw outputs
/// on a fixed test pattern, and the whole detect + landmark path on the sample portrait.
/// Goldens: Goldens/face-api-reference.json, made by infra/node/scripts/make-face-api-goldens.mjs.
/// </summary>
public sealed class NetworkGoldenTests
{
    private readonly ITestOutputHelper output;
    private static readonly Lazy<JsonElement> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Goldens", "face-api-reference.json"))).RootElement);

    public NetworkGoldenTests(ITestOutputHelper output) => this.output = output;

    /// <summary>Same integer pattern as the generator script, NHWC.</summary>
    public static float[] Pattern(int size)
    {
        var v = new float[size * size * 3];
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        for (int c = 0; c < 3; c++)
            v[(y * size + x) * 3 + c] = (float)Math.Round(128 + 100 * Math.Sin(0.05 * x * (c + 1) + 0.03 * y) * Math.Cos(0.04 * y - 0.02 * x * c), MidpointRounding.AwayFromZero);
        return v;
    }

    private static float[] Floats(string name) => Golden.Value.GetProperty(name).EnumerateArray().Select(e => e.GetSingle()).ToArray();

    private static Tensor NormalisedInput(int size, IReadOnlyList<float> mean)
    {
        var nhwc = Pattern(size);
        var planar = new float[nhwc.Length];
        for (int i = 0; i < size * size; i++) for (int c = 0; c < 3; c++) planar[c * size * size + i] = nhwc[i * 3 + c];
        return NetworkInput.Normalise(planar, size, mean, torch.CPU);
    }

    [Theory]
    [InlineData(false, "landmarkFull")]
    [InlineData(true, "landmarkTiny")]
    public async Task Landmark_net_port_matches_upstream_tfjs_outputs(bool tiny, string golden)
    {
        var folder = TestAssets.RequireModels();
        var weights = await TfjsWeightsReader.ReadAsync(Path.Combine(folder, tiny ? FaceLandmark68Detector.TinyManifest : FaceLandmark68Detector.FullManifest), CancellationToken.None);
        using var net = new FaceLandmark68Net(tiny ? FaceLandmark68NetConfig.Tiny : FaceLandmark68NetConfig.Full);
        net.LoadTfjsWeights(weights, golden);
        net.eval();
        using var _ = torch.no_grad();
        using var x = NormalisedInput(112, FaceLandmark68NetConfig.MeanRgb);
        var got = net.forward(x).data<float>().ToArray();
        var expected = Floats(golden);
        double maxErr = got.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{golden}: max |port - tfjs| = {maxErr:E2} (relative positions; x112 for pixels)");
        Assert.Equal(136, got.Length);
        Assert.True(maxErr < 2e-4, $"max error {maxErr}");
    }

    [Fact]
    public async Task Detector_net_port_matches_upstream_tfjs_outputs()
    {
        var folder = TestAssets.RequireModels();
        var weights = await TfjsWeightsReader.ReadAsync(Path.Combine(folder, TinyFaceDetector.ManifestFileName), CancellationToken.None);
        using var net = new TinyFaceDetectorNet(TinyFaceDetectorNetConfig.Official);
        net.LoadTfjsWeights(weights, "tiny_face_detector_model");
        net.eval();
        using var _ = torch.no_grad();
        using var x = NormalisedInput(128, TinyFaceDetectorNetConfig.MeanRgb);
        using var y = net.forward(x); // [1, 25, 4, 4]
        var got = y.permute(0, 2, 3, 1).contiguous().data<float>().ToArray(); // NHWC like tfjs
        var expected = Floats("detectorInput128Nhwc");
        double maxErr = got.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"detector raw output: max |port - tfjs| = {maxErr:E2} over {got.Length} values");
        Assert.Equal(expected.Length, got.Length);
        Assert.True(maxErr < 1e-3, $"max error {maxErr}");
    }

    [Fact]
    public async Task Detect_and_landmarks_on_the_portrait_match_upstream_face_api()
    {
        var folder = TestAssets.RequireModels();
        using var detector = await TinyFaceDetector.LoadAsync(folder, new TinyFaceDetectorOptions(), torch.CPU, CancellationToken.None);
        using var landmarker = await FaceLandmark68Detector.LoadAsync(folder, tiny: false, torch.CPU, CancellationToken.None);
        using var photo = TestAssets.LoadPortrait();
        var image = RgbImageBuffer.FromImage(photo);
        var face = Assert.Single(await detector.DetectAsync(image, CancellationToken.None));
        var lm = await landmarker.DetectAsync(image, face.Box, CancellationToken.None);

        var reference = Golden.Value.GetProperty("portrait");
        var box = reference.GetProperty("box").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var refLm = reference.GetProperty("landmarks").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double boxErr = new[] { face.Box.X - box[0], face.Box.Y - box[1], face.Box.Width - box[2], face.Box.Height - box[3] }.Max(Math.Abs);
        var ours = lm.ToArray();
        double meanLm = Enumerable.Range(0, 136).Average(i => Math.Abs(ours[i] - refLm[i]));
        double maxLm = Enumerable.Range(0, 136).Max(i => Math.Abs(ours[i] - refLm[i]));
        output.WriteLine($"box max diff {boxErr:F2} px, score {face.Score:F4} vs {reference.GetProperty("score").GetDouble():F4}; landmarks mean {meanLm:F2} px, max {maxLm:F2} px");
        Assert.True(boxErr < 2.0, $"box differs by {boxErr:F2} px");
        Assert.InRange(face.Score - reference.GetProperty("score").GetDouble(), -0.01, 0.01);
        Assert.True(meanLm < 1.0, $"landmarks differ by {meanLm:F2} px on average");
    }
}
