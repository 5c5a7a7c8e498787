using System.Diagnostics;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Vision.Preprocessing.Matting;
using Microsoft.Extensions.Configuration;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// The learned matte before and after <see cref="UncertainBandRefinement"/> on the evaluation portraits and the sample:
/// stage 1 runs once per portrait with the refinement off (the crop, landmarks and "before" matte), then the selfie
/// matting with the refinement on runs on the same crop. Prints per portrait the net's uncertain share of its person
/// area (0.2 &lt; p &lt; 0.8 among p &gt; 0.2), the soft share of each matte above the chin (0 &lt; alpha &lt; 1 among
/// alpha &gt; 0), the person area and the IoU of the two hard mattes (alpha &gt;= 0.5), and the refinement's time.
/// Options: --portraits a.jpg,b.jpg (default infra/eval/portraits/*.jpg and the sample) --crop 256 (the preview crop)
/// --config "Key=Value;..." (keys of Fc4d:Preprocess, e.g. MattingSettings:Selfie:Refinement:HairReach=1.2)
/// --out DIR writes per portrait crop | probability | before | after, and one strip of all (matte.png).
/// </summary>
public sealed class MatteBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "matte";

    /// <inheritdoc />
    public string Description => "selfie matte before/after the uncertain-band refinement on the evaluation portraits (uncertain, soft share, IoU)";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var root = FindRepoRoot();
        var portraits = a.Get("portraits", "").Split(',', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } given ? given
            : Directory.GetFiles(Path.Combine(root, "infra", "eval", "portraits"), "*.jpg").Order(StringComparer.Ordinal)
                .Append(Path.Combine(root, "infra", "samples", "portrait.jpg")).ToArray();
        int crop = a.GetInt("crop", 256);
        var outDir = a.Get("out", "");
        var pairs = a.Get("config", "").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0].Trim(), kv => (string?)kv[1].Trim());
        var after = new ConfigurationBuilder().AddInMemoryCollection(pairs).Build().Get<PreprocessOptions>() ?? new PreprocessOptions();
        after.Alignment.CropSize = crop;
        after.MattingSettings.Selfie.Refinement.Enabled = true;
        var before = new ConfigurationBuilder().AddInMemoryCollection(pairs).Build().Get<PreprocessOptions>() ?? new PreprocessOptions();
        before.Alignment.CropSize = crop;
        before.Matting = MattingBackend.SelfieSegmentation;
        before.MattingSettings.Selfie.Refinement.Enabled = false;

        using var preprocessor = await PortraitPreprocessorFactory.CreateAsync(before, cancellationToken).ConfigureAwait(false);
        using var refined = await SelfieMatting.LoadAsync(after.MattingSettings, TorchSharp.torch.device(after.Device), cancellationToken).ConfigureAwait(false);
        var r = after.MattingSettings.Selfie.Refinement;
        output.WriteLine($"matte benchmark: crop {crop}, uncertain {r.UncertainLow}..{r.UncertainHigh}, reach {r.HairReach}, falloff {r.ReachFalloff}, prior weight {r.PriorWeight}");
        output.WriteLine($"{"portrait",-22} {"uncertain",9} {"soft before",11} {"soft after",10} {"area before",11} {"area after",10} {"IoU",6} {"refine s",8}");
        var strips = new List<Image<Rgb24>>();
        foreach (var path in portraits)
        {
            using var photo = await Image.LoadAsync<Rgb24>(path, cancellationToken).ConfigureAwait(false);
            using var result = await preprocessor.PreprocessAsync(photo, before, cancellationToken).ConfigureAwait(false);
            var cropBuffer = RgbImageBuffer.FromImage(result.AlignedCrop);
            var landmarks = new FaceLandmarks68(result.Landmarks);
            var p = refined.PersonProbability(cropBuffer);
            var clock = Stopwatch.StartNew();
            var matte = await refined.MatteAsync(cropBuffer, landmarks, cancellationToken).ConfigureAwait(false);
            double seconds = clock.Elapsed.TotalSeconds;
            var beforeAlpha = MaskValues(result.Mask);
            int w = cropBuffer.Width, h = cropBuffer.Height;
            int chinRow = (int)Math.Ceiling(landmarks[8].Y);
            double uncertain = Share(p, v => v > 0.2 && v < 0.8, v => v > 0.2);
            double softBefore = Share(beforeAlpha.Take(chinRow * w).ToArray(), v => v > 0 && v < 1, v => v > 0);
            double softAfter = Share(matte.Alpha.Take(chinRow * w).Select(v => (double)v).ToArray(), v => v > 0 && v < 1, v => v > 0);
            int inter = 0, union = 0, areaBefore = 0, areaAfter = 0;
            for (int i = 0; i < w * h; i++)
            {
                bool b = beforeAlpha[i] >= 0.5, f = matte.Alpha[i] >= 0.5;
                if (b && f) inter++;
                if (b || f) union++;
                if (b) areaBefore++;
                if (f) areaAfter++;
            }
            string name = Path.GetFileNameWithoutExtension(path);
            output.WriteLine($"{name,-22} {uncertain,9:P1} {softBefore,11:P1} {softAfter,10:P1} {(double)areaBefore / (w * h),11:P1} {(double)areaAfter / (w * h),10:P1} {(double)inter / Math.Max(1, union),6:F3} {seconds,8:F2}");
            if (outDir.Length > 0)
                strips.Add(Strip(result.AlignedCrop, p, beforeAlpha, matte.Alpha.Select(v => (double)v).ToArray(), w, h));
        }
        if (outDir.Length > 0)
        {
            Directory.CreateDirectory(outDir);
            int sw = strips[0].Width, sh = strips.Sum(s => s.Height);
            using var sheet = new Image<Rgb24>(sw, sh);
            int y = 0;
            foreach (var s in strips)
            {
                var at = new Point(0, y);
                sheet.Mutate(c => c.DrawImage(s, at, 1f));
                y += s.Height;
                s.Dispose();
            }
            await sheet.SaveAsPngAsync(Path.Combine(outDir, "matte.png"), cancellationToken).ConfigureAwait(false);
            output.WriteLine($"wrote {Path.Combine(outDir, "matte.png")} (rows: portraits; columns: crop | net probability | matte before | matte after)");
        }
        return 0;
    }

    private static Image<Rgb24> Strip(Image<Rgb24> crop, double[] p, double[] before, double[] after, int w, int h)
    {
        var strip = new Image<Rgb24>(4 * w, h);
        strip.Mutate(c => c.DrawImage(crop, new Point(0, 0), 1f));
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int i = y * w + x;
            strip[w + x, y] = Grey(p[i]);
            strip[2 * w + x, y] = Grey(before[i]);
            strip[3 * w + x, y] = Grey(after[i]);
        }
        return strip;
    }

    private static Rgb24 Grey(double v)
    {
        byte b = (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
        return new Rgb24(b, b, b);
    }

    private static double[] MaskValues(Image<L8> mask)
    {
        var pixels = new L8[mask.Width * mask.Height];
        mask.CopyPixelDataTo(pixels);
        return pixels.Select(q => q.PackedValue / 255.0).ToArray();
    }

    private static double Share(double[] values, Func<double, bool> part, Func<double, bool> whole)
    {
        int n = 0, d = 0;
        foreach (var v in values)
        {
            if (!whole(v)) continue;
            d++;
            if (part(v)) n++;
        }
        return d == 0 ? 0 : (double)n / d;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FaceCraft4D.Cloud.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
