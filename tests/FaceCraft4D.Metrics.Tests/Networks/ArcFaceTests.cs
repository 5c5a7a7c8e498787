using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Metrics.Identity.ArcFace;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Tests.Networks;

public class ArcFaceTests
{
    private static readonly ArcFaceConfig Tiny = new([1, 2, 1, 1], [4, 8, 8, 16], EmbeddingSize: 32);

    [Fact]
    public void R50_HasTheArcfaceTorchNamesAndShapes()
    {
        using var net = new IResNet(ArcFaceConfig.R50);
        var shapes = ParameterCounting.StateShapes(net).ToDictionary(s => s.Name, s => s.Shape);
        Assert.Equal(new long[] { 64, 3, 3, 3 }, shapes["conv1.weight"]);
        Assert.Equal(new long[] { 64 }, shapes["prelu.weight"]);
        Assert.Equal(new long[] { 64, 64, 1, 1 }, shapes["layer1.0.downsample.0.weight"]);
        Assert.Equal(new long[] { 128 }, shapes["layer2.0.downsample.1.running_var"]);
        Assert.Equal(new long[] { 256, 256, 3, 3 }, shapes["layer3.13.conv2.weight"]);
        Assert.Equal(new long[] { 512 }, shapes["layer4.2.bn3.bias"]);
        Assert.Equal(new long[] { 512, 512 * 7 * 7 }, shapes["fc.weight"]);
        Assert.Equal(new long[] { 512 }, shapes["features.running_var"]);
        Assert.DoesNotContain("layer1.1.downsample.0.weight", shapes.Keys);
        // stem 6 (conv1, bn1 x4, prelu) + 15 per block (bn1/bn2/bn3 x4, conv1, conv2, prelu) + 5 per downsample + bn2 4 + fc 2 + features 4
        Assert.Equal(6 + 24 * 15 + 4 * 5 + 4 + 2 + 4, shapes.Count);
    }

    [Fact]
    public void TinyNetwork_RunsForward()
    {
        using var net = new IResNet(Tiny);
        ModuleRandomizer.Randomize(net, 1);
        net.eval();
        using var g = new Generator(2, CPU);
        using var x = torch.randn(new long[] { 2, 3, 112, 112 }, generator: g);
        using var _ = torch.no_grad();
        using var y = net.forward(x);
        Assert.Equal(new long[] { 2, 32 }, y.shape);
        Assert.True(y.isfinite().all().item<bool>());
    }

    [Fact]
    public async Task Backbone_WrittenWithOfficialNames_RoundTrips_DepthInferredFromKeys()
    {
        using var dir = new TempDirectory();
        using var original = new IResNet(Tiny);
        ModuleRandomizer.Randomize(original, 3);
        var tensors = original.state_dict().ToList();
        tensors.Add(new("layer1.0.bn1.num_batches_tracked", torch.tensor(0L)));
        await SafeTensorsWriter.WriteAsync(dir.File(ArcFaceEmbedder.WeightsFile), tensors);

        using var loaded = await ArcFaceEmbedder.LoadNetworkAsync(dir.Path, CancellationToken.None);
        Assert.Equal(Tiny.Layers, loaded.Config.Layers);
        Assert.Equal(Tiny.Widths, loaded.Config.Widths);
        Assert.Equal(32, loaded.Config.EmbeddingSize);
        original.eval();
        loaded.eval();
        using var g = new Generator(4, CPU);
        using var x = torch.randn(new long[] { 1, 3, 112, 112 }, generator: g);
        using var _ = torch.no_grad();
        using var a = original.forward(x);
        using var b = loaded.forward(x);
        Assert.True(a.allclose(b, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Aligner_MapsTheFivePointsOntoTheArcFaceTemplate()
    {
        // a 300x300 image with five bright dots where a rotated, scaled, shifted template puts them
        const double angle = 0.3, scale = 1.7, tx = 60, ty = 40;
        (double X, double Y) Place((double X, double Y) p) =>
            (scale * (Math.Cos(angle) * p.X - Math.Sin(angle) * p.Y) + tx, scale * (Math.Sin(angle) * p.X + Math.Cos(angle) * p.Y) + ty);
        var template = ArcFaceAligner.TemplateFor(112);
        var placed = template.Select(Place).ToList();
        var image = new RgbImageBuffer(300, 300);
        foreach (var (x, y) in placed)
            for (int dy = -2; dy <= 2; dy++)
            for (int dx = -2; dx <= 2; dx++)
                for (int c = 0; c < 3; c++) image[c, (int)Math.Round(y) + dy, (int)Math.Round(x) + dx] = 255;
        var xy = new float[136];
        void Set(int i, (double X, double Y) p) { xy[2 * i] = (float)p.X; xy[2 * i + 1] = (float)p.Y; }
        for (int i = 36; i <= 41; i++) Set(i, placed[0]);
        for (int i = 42; i <= 47; i++) Set(i, placed[1]);
        Set(30, placed[2]);
        Set(48, placed[3]);
        Set(54, placed[4]);
        var aligned = ArcFaceAligner.Align(image, new FaceLandmarks68(xy));
        Assert.Equal(112, aligned.Width);
        foreach (var (x, y) in template)
        {
            // the dot lands on the template point: bright there, dark 8 px away
            Assert.True(aligned[0, (int)Math.Round(y), (int)Math.Round(x)] > 150, $"no dot at ({x:F1}, {y:F1})");
            Assert.True(aligned[0, (int)Math.Round(y), Math.Min(111, (int)Math.Round(x) + 8)] < 40);
        }
    }

    [Fact]
    public async Task Embedder_RunsTheWholePipelineOnThePortrait()
    {
        var folder = TestAssets.RequireFaceModels();
        var (det, lm) = await FaceDescriptorExtractor.LoadDetectorsAsync(new IdentitySimilarityOptions { FaceModelsPath = folder }, CPU, CancellationToken.None);
        var net = new IResNet(Tiny);
        ModuleRandomizer.Randomize(net, 5);
        using var embedder = new ArcFaceEmbedder(det, lm, net, "arcface:tiny-random", CPU, det, lm, net);
        using var portrait = TestAssets.LoadPortrait();
        var buffer = RgbImageBuffer.FromImage(portrait);
        var a = await embedder.DescribeAsync(buffer, CancellationToken.None);
        var b = await embedder.DescribeAsync(buffer, CancellationToken.None);
        Assert.NotNull(a);
        Assert.Equal(32, a!.Values.Length);
        Assert.Equal(1.0, a.CosineSimilarity(b!), 6);
    }
}
