using System.Diagnostics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.ShapePrior.Template;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Dense landmarks on the sample portrait: load time and per-pass / two-pass time of each FaceMesh graph (median of
/// --repeats runs), the whole preprocess with and without FaceMesh, and the 68-point vs dense FLAME fit on the
/// procedural head. Options: --portrait infra/samples/portrait.jpg --repeats 5 --threads N.
/// </summary>
public sealed class FaceMeshBenchmark : IBenchmark
{
    public string Name => "facemesh";

    public string Description => "FaceMesh / FaceMesh-attention graph time, preprocess time with and without it, 68-point vs dense FLAME fit time";

    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        int repeats = Math.Max(1, a.GetInt("repeats", 5));
        int threads = a.GetInt("threads", 0);
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        var portraitPath = a.Get("portrait", Path.Combine(RepoRoot(), "infra", "samples", "portrait.jpg"));
        using var photo = Image.Load<Rgb24>(portraitPath);
        output.WriteLine($"facemesh benchmark: {portraitPath}, processors={Environment.ProcessorCount}, torch threads={TorchSharp.torch.get_num_threads()}, repeats={repeats}");

        var options = new PreprocessOptions();
        using var preprocessor = await PortraitPreprocessorFactory.CreateAsync(options, cancellationToken).ConfigureAwait(false);
        using var first = await preprocessor.PreprocessAsync(photo, options, cancellationToken).ConfigureAwait(false);
        var image = RgbImageBuffer.FromImage(first.AlignedCrop);
        var lm = new FaceCraft4D.Vision.Preprocessing.Landmarks.FaceLandmarks68(first.Landmarks);

        foreach (var variant in new[] { FaceMeshVariant.FaceMesh, FaceMeshVariant.Attention })
        {
            var clock = Stopwatch.StartNew();
            using var landmarker = await FaceMeshLandmarker.LoadAsync(new FaceMeshOptions { Variant = variant }, TorchSharp.torch.CPU, cancellationToken).ConfigureAwait(false);
            double load = clock.Elapsed.TotalMilliseconds;
            var roi = landmarker.Detect(image, lm, cancellationToken).Roi;
            double onePass = Median(repeats, () => landmarker.Run(image, roi));
            double twoPass = Median(repeats, () => landmarker.Detect(image, lm, cancellationToken));
            output.WriteLine($"{landmarker.BackendName,-20} load {load,7:F0} ms   one pass (crop + graph) {onePass,6:F0} ms   two passes {twoPass,6:F0} ms");
        }

        foreach (var enabled in new[] { false, true })
        {
            var o = new PreprocessOptions { FaceMesh = new FaceMeshOptions { Enabled = enabled } };
            using var pre = await PortraitPreprocessorFactory.CreateAsync(o, cancellationToken).ConfigureAwait(false);
            double ms = Median(repeats, () => pre.PreprocessAsync(photo, o, cancellationToken).GetAwaiter().GetResult().Dispose());
            output.WriteLine($"preprocess (512 px crop) {(enabled ? "with FaceMesh-attention" : "68 landmarks only"),-24} {ms,7:F0} ms");
        }

        var data = ProceduralHeadModel.Create();
        using var model = new FlameLandmarkModel(data);
        var clockTarget = Stopwatch.StartNew();
        using var target = new DenseFitTarget(data, withIrises: true);
        output.WriteLine($"dense correspondence on the procedural head: {target.Correspondence.Count} points, {clockTarget.Elapsed.TotalMilliseconds:F0} ms");
        var lm68 = first.Landmarks.Select(v => v + 0.5f).ToArray();
        var dense = first.DenseLandmarks?.ToArray().Select((v, i) => i % 3 == 2 ? v : v + 0.5f).ToArray();
        var intrinsics = CameraIntrinsics.FromVerticalFov(first.AlignedCrop.Width, first.AlignedCrop.Height, first.Camera.FovDegrees);
        var fitter = new FlameLandmarkFitter(new LandmarkFitOptions());
        double fit68 = Median(repeats, () => fitter.Fit(model, lm68, intrinsics, cancellationToken));
        output.WriteLine($"FLAME fit, 68 landmarks      {fit68,7:F0} ms");
        if (dense is not null)
        {
            double fitDense = Median(repeats, () => fitter.FitDense(model, target, lm68, dense, intrinsics, cancellationToken));
            output.WriteLine($"FLAME fit, {dense.Length / 3} dense points  {fitDense,7:F0} ms");
        }
        return 0;
    }

    private static double Median(int repeats, Action action)
    {
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static double Median<T>(int repeats, Func<T> action) => Median(repeats, () => { action(); });

    private static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "infra", "samples", "portrait.jpg"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
