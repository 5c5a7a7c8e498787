using System.Diagnostics;
using FaceCraft4D.Coin;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Vision.Perceptual.ResNet18;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// What COIN's perceptual term costs per training iteration: forward + backward of the loss on a [S, S, 3] render (with a
/// mask), for the structural substitute (<c>ms-structure</c>) and ImageNet ResNet-18 features (<c>resnet18-features</c>).
/// Options: --sizes 128,256,512 (preview renders 128) --repeats 5 --torch-threads N.
/// </summary>
public sealed class PerceptualLossBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "perceptual";

    /// <inheritdoc />
    public string Description => "COIN perceptual loss: ms per iteration (forward + backward) of ms-structure and resnet18-features";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var sizes = a.GetInts("sizes", 128, 256, 512);
        int repeats = a.GetInt("repeats", 5);
        int torchThreads = a.GetInt("torch-threads", 0);
        if (torchThreads > 0) torch.set_num_threads(torchThreads);
        var onnx = ResNet18OnnxLocator.TryResolve();
        if (onnx is null)
        {
            output.WriteLine($"ResNet18.onnx not found: {ResNet18OnnxLocator.InstallHint}.");
            return 1;
        }
        var load = Stopwatch.StartNew();
        using var resnet = new ResNet18PerceptualLoss(new ResNet18FeatureDistance(await ResNet18OnnxWeights.LoadAsync(onnx, cancellationToken), torch.CPU));
        output.WriteLine($"perceptual benchmark: torch threads={torch.get_num_threads()}, processors={Environment.ProcessorCount}, ResNet18.onnx read and mapped in {load.Elapsed.TotalMilliseconds:F0} ms, repeats={repeats} (median)");
        IPerceptualLoss[] losses = [new StructuralPerceptualLoss(), resnet];
        output.WriteLine($"{"loss",-20} {"size",6} {"fwd+bwd ms",11} {"value",8}");
        foreach (int size in sizes)
        foreach (var loss in losses)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var times = new List<double>();
            double value = 0;
            for (int i = 0; i <= repeats; i++)
            {
                using var scope = torch.NewDisposeScope();
                var g = new torch.Generator(1);
                var target = torch.rand([size, size, 3], generator: g);
                var rendered = target.Plus(torch.randn([size, size, 3], generator: g).Times(0.1)).Clamped(0, 1).requires_grad_(true);
                var mask = torch.ones([size, size]);
                var sw = Stopwatch.StartNew();
                var l = loss.Loss(rendered, target, mask);
                l.backward();
                value = l.item<float>();
                sw.Stop();
                if (i > 0) times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            output.WriteLine($"{loss.Name,-20} {size,6} {times[times.Count / 2],11:F1} {value,8:F4}");
        }
        return 0;
    }
}
