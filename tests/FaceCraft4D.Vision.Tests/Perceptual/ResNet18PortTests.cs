using FaceCraft4D.Vision.Perceptual.ResNet18;
using FaceCraft4D.Weights.Scalars;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests.Perceptual;

/// <summary>
/// The TorchSharp ResNet-18 port against the original ONNX graph run by ONNX Runtime (same file, same input), and the
/// feature distance's gradient against finite differences.
/// </summary>
public sealed class ResNet18PortTests(ITestOutputHelper output)
{
    private static readonly Lazy<Task<OnnxGraph>> Graph = new(() => OnnxGraph.ReadAsync(RequireOnnx(), CancellationToken.None));

    private static string RequireOnnx()
    {
        var path = ResNet18OnnxLocator.TryResolve();
        if (path is null) Assert.Fail($"ResNet18.onnx is missing: {ResNet18OnnxLocator.InstallHint}.");
        return path!;
    }

    /// <summary>A smooth deterministic RGB pattern [1, 3, h, w] in [0, 1].</summary>
    private static Tensor Pattern(int h, int w, double phase)
    {
        var v = new float[3 * h * w];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    v[(c * h + y) * w + x] = (float)(0.5 + 0.45 * Math.Sin(0.11 * x * (c + 1) + 0.07 * y + phase) * Math.Cos(0.05 * y - 0.03 * x * c));
        return torch.tensor(v, [1, 3, h, w]);
    }

    [Fact]
    public async Task The_onnx_graph_is_read_and_mapped_to_torchvision_names()
    {
        var graph = await Graph.Value;
        Assert.Equal("CNTK", graph.Producer);
        Assert.Equal(["Input247"], graph.Inputs.Where(i => !graph.Initializers.ContainsKey(i)));
        Assert.Equal(["Pooling395_Output_0"], graph.Outputs);
        Assert.Equal(22, graph.Nodes.Count(n => n.OpType == "Conv"));
        using var trunk = ResNet18OnnxWeights.Load(graph);
        Assert.Equal([2, 2, 2, 3], trunk.BlocksPerStage); // CNTK's ResNet-18: a third block in the last stage
        var names = trunk.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Contains("layer4.2.conv2.weight", names);
        Assert.Contains("layer3.0.downsample.0.weight", names);
        // torchvision resnet18 without fc: 11,176,512; plus layer4.2 (two 512x512 3x3 convs and their batch norms): 4,720,640.
        Assert.Equal(11_176_512 + 4_720_640, trunk.parameters().Sum(p => p.numel()));
        using var plain = new ResNet18Trunk();
        Assert.Equal(11_176_512, plain.parameters().Sum(p => p.numel()));
        Assert.False(trunk.parameters().Any(p => p.requires_grad));
    }

    [Fact]
    public async Task The_port_matches_onnx_runtime_on_the_original_graph()
    {
        var path = RequireOnnx();
        using var trunk = ResNet18OnnxWeights.Load(await Graph.Value);
        using var scope = torch.NewDisposeScope();
        var input = ResNet18Input.FromUnitRgb(Pattern(224, 224, 0.3)); // [1, 3, 224, 224] BGR 0..255 minus means
        float[] ours;
        using (torch.no_grad()) ours = trunk.Embedding(input).data<float>().ToArray();

        using var session = new InferenceSession(path);
        var dense = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(input.contiguous().data<float>().ToArray(), [1, 3, 224, 224]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Input247", dense)]);
        var reference = results.Single().AsEnumerable<float>().ToArray();

        Assert.Equal(512, reference.Length);
        double maxRef = reference.Max(Math.Abs), maxErr = reference.Zip(ours, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"512-D embedding: max |ref| {maxRef:F4}, max |ours - ref| {maxErr:E2}");
        // float32 on either side, 20 convolutions deep: differences come from summation order only.
        Assert.True(maxErr <= 1e-4 * maxRef + 1e-5, $"max error {maxErr:E2} (max |ref| {maxRef:F3})");
        Assert.True(maxRef > 0.1, "the embedding is not degenerate");
    }

    [Fact]
    public void The_distance_gradient_matches_finite_differences_and_reaches_the_image_only()
    {
        using var trunk = new ResNet18Trunk();
        var g = new torch.Generator(7);
        using (torch.no_grad())
        {
            foreach (var (name, p) in trunk.named_parameters())
                p.copy_(name.Contains("bn") || name.EndsWith("downsample.1.weight") ? torch.randn(p.shape, generator: g).Times(0.1).Plus(1) : torch.randn(p.shape, generator: g).Times(Math.Sqrt(2.0 / (p.numel() / p.shape[0]))));
            foreach (var (name, b) in trunk.named_buffers())
                if (name.EndsWith("running_var")) b.copy_(torch.rand(b.shape, generator: g).Plus(0.5));
                else if (name.EndsWith("running_mean")) b.copy_(torch.randn(b.shape, generator: g).Times(0.1));
        }
        trunk.to(ScalarType.Float64);
        using var distance = new ResNet18FeatureDistance(trunk, torch.CPU);
        using var scope = torch.NewDisposeScope();
        var x = torch.rand([1, 3, 16, 16], generator: g).Times(0.6).Plus(0.2).to(ScalarType.Float64).requires_grad_(true);
        var y = torch.rand([1, 3, 16, 16], generator: g).Times(0.6).Plus(0.2).to(ScalarType.Float64).requires_grad_(true);
        var mask = torch.ones([1, 1, 16, 16], ScalarType.Float64);
        mask[.., .., ..8, ..] = 0.25;

        var value = distance.Distance(x, y, mask).sum();
        value.backward();
        var grad = x.grad!.clone();
        Assert.Null(y.grad);
        Assert.True(value.item<double>() > 0);
        Assert.Equal(0, distance.Distance(y, y, mask).sum().item<double>(), 12);

        const double h = 1e-6;
        var rng = new Random(3);
        for (int k = 0; k < 5; k++)
        {
            long c = rng.Next(3), i = rng.Next(16), j = rng.Next(16);
            double F(double delta)
            {
                using var _ = torch.no_grad();
                var xp = x.detach().clone();
                xp[0, c, i, j] += delta;
                return distance.Distance(xp, y, mask).sum().item<double>();
            }
            double numeric = (F(h) - F(-h)) / (2 * h), analytic = grad[0, c, i, j].item<double>();
            output.WriteLine($"d/dx[{c},{i},{j}]: analytic {analytic:E6}, numeric {numeric:E6}");
            Assert.True(Math.Abs(numeric - analytic) <= 1e-5 * Math.Max(1e-3, Math.Abs(analytic)) + 1e-9, $"[{c},{i},{j}] analytic {analytic:E6} numeric {numeric:E6}");
        }
    }

    [Fact]
    public async Task The_distance_is_zero_for_equal_images_and_grows_with_the_difference()
    {
        using var distance = new ResNet18FeatureDistance(ResNet18OnnxWeights.Load(await Graph.Value), torch.CPU);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var a = Pattern(64, 64, 0);
        var noise = torch.randn(a.shape, generator: new torch.Generator(5));
        var (same, taps) = distance.Compare(a, a);
        Assert.Equal(0f, same.item<float>(), 6);
        Assert.Equal(5, taps.Length);
        double small = distance.Distance(a.Plus(noise.Times(0.02)).Clamped(0, 1), a).item<float>();
        double large = distance.Distance(a.Plus(noise.Times(0.2)).Clamped(0, 1), a).item<float>();
        double shifted = distance.Distance(Pattern(64, 64, 1.5), a).item<float>();
        output.WriteLine($"noise 0.02: {small:F4}, noise 0.2: {large:F4}, other pattern: {shifted:F4}");
        Assert.True(0 < small && small < large && large <= 4, $"{small} < {large}");
        Assert.True(shifted > small);
    }
}
