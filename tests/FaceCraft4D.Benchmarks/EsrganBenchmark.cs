using System.Diagnostics;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.SuperResolution;
using TorchSharp;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// What super-resolving the face crop costs: esrgan-slim x2 and x4 (TorchSharp port) on a photo region of the size the
/// aligned 512 px crop covers at that enlargement (x2: 256 px, x4: 128 px; plus the 1.25x threshold's 410 px for x2).
/// Options: --repeats 3 --torch-threads N.
/// </summary>
public sealed class EsrganBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "esrgan";

    /// <inheritdoc />
    public string Description => "ESRGAN (esrgan-slim x2/x4) super-resolution time per face crop";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        int repeats = a.GetInt("repeats", 3);
        int torchThreads = a.GetInt("torch-threads", 0);
        if (torchThreads > 0) torch.set_num_threads(torchThreads);
        var folder = EsrganModelLocator.TryResolve();
        if (folder is null)
        {
            output.WriteLine($"esrgan-slim models not found under {EsrganModelLocator.RepoRelativePath}: run ./fc4d setup.");
            return 1;
        }
        using var upscaler = new EsrganUpscaler(folder, torch.CPU);
        output.WriteLine($"esrgan benchmark: torch threads={torch.get_num_threads()}, processors={Environment.ProcessorCount}, repeats={repeats} (median)");
        output.WriteLine($"{"model",-16} {"input px",9} {"output px",10} {"ms",9}");
        foreach (var (factor, side) in new[] { (2, 256), (2, 410), (4, 128) })
        {
            var rng = new Random(1);
            var image = new RgbImageBuffer(side, side);
            for (int i = 0; i < image.Data.Length; i++) image.Data[i] = (float)(rng.NextDouble() * 255);
            await upscaler.NetworkAsync(factor, cancellationToken);
            var times = new List<double>();
            for (int i = 0; i <= repeats; i++)
            {
                var sw = Stopwatch.StartNew();
                _ = await upscaler.UpscaleAsync(image, factor, cancellationToken);
                if (i > 0) times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            output.WriteLine($"{EsrganUpscaler.BackendName(factor),-16} {side,9} {side * factor,10} {times[times.Count / 2],9:F0}");
        }
        return 0;
    }
}
