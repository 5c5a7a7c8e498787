using System.Text.Json;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests;

/// <summary>
/// The TorchSharp run of the MediaPipe FaceMesh graphs reproduces the ORIGINAL TFJS graph models (tfjs 4.11 CPU
/// backend, same weights) on a fixed synthetic pattern and on a crop of the sample portrait, output by output.
/// Goldens: Goldens/facemesh-reference.json + facemesh-sample-crop.rgb, made by infra/node/scripts/make-facemesh-goldens.mjs
/// (values rounded to 1e-4). Tolerances: landmark coordinates (crop pixels, 0..192) |port - tfjs| &lt;= 0.002 px
/// max, 0.0002 px mean; face score &lt;= 2e-4 (observed: 2e-4 px max, 3e-5 px mean, i.e. the goldens' rounding).
/// </summary>
public sealed class FaceMeshGoldenTests
{
    public const double MaxPixelError = 2e-3, MeanPixelError = 2e-4, ScoreError = 2e-4;
    private readonly ITestOutputHelper output;
    private static readonly Lazy<JsonElement> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Goldens", "facemesh-reference.json"))).RootElement);

    public FaceMeshGoldenTests(ITestOutputHelper output) => this.output = output;

    public static Tensor Input(string name)
    {
        float[] nhwc = name == "pattern"
            ? NetworkGoldenTests.Pattern(FaceMeshNetwork.InputSize)
            : File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Goldens", "facemesh-sample-crop.rgb")).Select(b => (float)b).ToArray();
        return torch.tensor(nhwc, new long[] { 1, 192, 192, 3 }).DividedBy(255f);
    }

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    [Theory]
    [InlineData(FaceMeshVariant.FaceMesh)]
    [InlineData(FaceMeshVariant.Attention)]
    public async Task FaceMesh_graph_port_matches_upstream_tfjs_outputs(FaceMeshVariant variant)
    {
        using var net = await FaceMeshNetwork.LoadAsync(TestAssets.RequireFaceMeshModel(variant), variant, torch.CPU, CancellationToken.None);
        var golden = Golden.Value.GetProperty(variant == FaceMeshVariant.Attention ? "attention" : "facemesh");
        foreach (var input in new[] { "pattern", "sample" })
        {
            using var x = Input(input);
            foreach (var o in golden.GetProperty(input).EnumerateObject())
            {
                if (o.Name == "output_contours") continue; // not used by the port's consumers; mesh covers the same trunk
                var expected = Floats(o.Value);
                var got = net.RunNode(x, o.Name);
                Assert.Equal(expected.Length, got.Length);
                var err = got.Zip(expected, (a, b) => Math.Abs((double)a - b)).ToArray();
                output.WriteLine($"{variant} {input} {o.Name} ({got.Length}): max {err.Max():E2}, mean {err.Average():E2}");
                bool isScore = expected.Length == 1;
                Assert.True(err.Max() <= (isScore ? ScoreError : MaxPixelError), $"{input} {o.Name}: max error {err.Max()}");
                if (!isScore) Assert.True(err.Average() <= MeanPixelError, $"{input} {o.Name}: mean error {err.Average()}");
            }
        }
    }
}
