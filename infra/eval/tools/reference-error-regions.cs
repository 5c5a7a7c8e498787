#!/usr/bin/env -S dotnet run --file
// Where a run's reference-view error lies, by region (docs/reference-view-diagnosis.md, session s24). The C# successor
// of reference-error-regions.py (this machine has no python3-pil / numpy). Run from the repository:
//   dotnet run --file infra/eval/tools/reference-error-regions.cs -- [--map] RUN_DIR [RUN_DIR ...]
// --map also writes RUN_DIR/reference-error-regions.png: each pixel in its region's colour, brightness = its error.
// RUN_DIR holds, at any depth, the run's evaluation/reference-comparison.png (target | render | 4x diff, 512 px) and its
// stage files preprocess/0/mask.png, preprocess/0/landmarks.json and shape-prior/0/mask-00.png (the head model's
// silhouette from the reference camera). `azurite-run-files.py` copies them out of a local stack's Azurite folder.
// Regions (the comparison's pixels, 512 px; the matte and silhouette resampled bilinearly, a pixel is "in" at >= 0.5):
//   face              inside the landmark outline (jaw 0-16 closed over the brows 26-17)
//   head top          above the brow line, in the matte and in the silhouette, not face (the hair the avatar must colour)
//   head sides        below the brow line and above the cut row, in matte and silhouette, not face (ears, sides, neck)
//   matte only        above the cut row, in the matte, outside the silhouette: the target shows "person" (hair or the
//                     background the matte keeps) where the avatar has no geometry
//   silhouette only   above the cut row, in the silhouette, outside the matte: the avatar's volume where the target is white
//   outside both      above the cut row, in neither
//   torso             below the cut row (the higher of chin 8 and lower lip 57; ReferencePortrait's torso rule), not face
// Per region: share of pixels, share of the squared error, RMS (8-bit levels), mean signed luminance render - target
// (> 0: the render is lighter), and the PSNR the view would have with that region perfect.
#:package SixLabors.ImageSharp@2.1.13
#:property ManagePackageVersionsCentrally=false
#:property PublishAot=false

using System.Globalization;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
bool map = args.Contains("--map");
var dirs = args.Where(a => a != "--map").ToArray();
if (dirs.Length == 0)
{
    Console.Error.WriteLine("usage: reference-error-regions.cs [--map] RUN_DIR [RUN_DIR ...]");
    return 2;
}
foreach (var dir in dirs)
{
    try { Report(dir, map); }
    catch (Exception e) when (e is FileNotFoundException or InvalidDataException or JsonException)
    {
        Console.Error.WriteLine($"{dir}: {e.Message}");
        return 1;
    }
}
return 0;

static string Find(string dir, string suffix) =>
    Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
        .Where(f => f.Replace('\\', '/').EndsWith(suffix, StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault()
    ?? throw new FileNotFoundException($"no */{suffix} under {dir}");

// A grey image resampled (bicubic, as ImageSharp's default resampler) to n x n, values in [0, 1].
static float[,] ReadGrey(string path, int n)
{
    using var image = Image.Load<L8>(path);
    image.Mutate(c => c.Resize(n, n));
    var values = new float[n, n];
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
            values[y, x] = image[x, y].PackedValue / 255f;
    return values;
}

// Even-odd point-in-polygon test.
static bool Inside(IReadOnlyList<(double X, double Y)> polygon, double x, double y)
{
    bool inside = false;
    for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
    {
        var (xi, yi) = polygon[i];
        var (xj, yj) = polygon[j];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
}

static void Report(string dir, bool writeMap)
{
    using var comparison = Image.Load<Rgb24>(Find(dir, "evaluation/reference-comparison.png"));
    int n = comparison.Height;
    if (comparison.Width < 2 * n) throw new InvalidDataException("reference-comparison.png is not target | render | diff");
    var matte = ReadGrey(Find(dir, "preprocess/0/mask.png"), n);
    var silhouette = ReadGrey(Find(dir, "shape-prior/0/mask-00.png"), n);
    using var landmarksJson = JsonDocument.Parse(File.ReadAllText(Find(dir, "preprocess/0/landmarks.json")));
    var root = landmarksJson.RootElement;
    double lw = root.GetProperty("width").GetDouble(), lh = root.GetProperty("height").GetDouble();
    double centre = root.TryGetProperty("pixelCentre", out var pc) ? pc.GetDouble() : 0.5;
    var points = root.GetProperty("points").EnumerateArray()
        .Select(p => ((p[0].GetDouble() + 0.5 - centre) * n / lw, (p[1].GetDouble() + 0.5 - centre) * n / lh)).ToArray();
    if (points.Length < 68) throw new InvalidDataException("landmarks.json has fewer than 68 points");
    double cutRow = Math.Min(points[8].Item2, points[57].Item2);
    double browRow = points[17..27].Min(p => p.Item2);
    var outline = points[0..17].Concat(points[17..27].Reverse()).ToArray();

    string[] names = ["face", "head top", "head sides", "matte only", "silhouette only", "outside both", "torso"];
    var pixels = new long[names.Length];
    var squared = new double[names.Length];
    var signed = new double[names.Length];
    var rowBands = new double[8];
    double total = 0;
    Rgb24[] colours = [new(255, 255, 0), new(0, 255, 0), new(0, 160, 255), new(255, 0, 0), new(255, 0, 255), new(255, 255, 255), new(255, 128, 0)];
    using var regionMap = new Image<Rgb24>(n, n);
    for (int y = 0; y < n; y++)
    {
        for (int x = 0; x < n; x++)
        {
            var t = comparison[x, y];
            var r = comparison[x + n, y];
            double e = ((r.R - t.R) * (r.R - t.R) + (r.G - t.G) * (r.G - t.G) + (r.B - t.B) * (r.B - t.B)) / 3.0;
            double cx = x + 0.5, cy = y + 0.5;
            bool inMatte = matte[y, x] >= 0.5f, inSilhouette = silhouette[y, x] >= 0.5f;
            int region;
            if (Inside(outline, cx, cy)) region = 0;
            else if (cy > cutRow) region = 6;
            else if (inMatte && inSilhouette) region = cy < browRow ? 1 : 2;
            else if (inMatte) region = 3;
            else if (inSilhouette) region = 4;
            else region = 5;
            pixels[region]++;
            double shade = 0.25 + 0.75 * Math.Min(1.0, Math.Sqrt(e) / 64.0);
            var c = colours[region];
            regionMap[x, y] = new Rgb24((byte)(c.R * shade), (byte)(c.G * shade), (byte)(c.B * shade));
            squared[region] += e;
            signed[region] += ((r.R + r.G + r.B) - (t.R + t.G + t.B)) / 3.0;
            rowBands[Math.Min(7, y * 8 / n)] += e;
            total += e;
        }
    }
    double count = (double)n * n;
    double psnr = 10 * Math.Log10(255.0 * 255.0 / (total / count));
    Console.WriteLine($"{dir}");
    Console.WriteLine($"  reference PSNR {psnr:F2} dB (from the comparison png, {n} px); cut row {cutRow:F0}, brow row {browRow:F0}");
    Console.WriteLine($"  {"region",-16} {"pixels",7} {"sq.err",7} {"RMS",6} {"render-target",13} {"PSNR if perfect",15}");
    for (int i = 0; i < names.Length; i++)
    {
        double rms = pixels[i] > 0 ? Math.Sqrt(squared[i] / pixels[i]) : 0;
        double bias = pixels[i] > 0 ? signed[i] / pixels[i] : 0;
        double without = total - squared[i];
        string ifPerfect = without > 0 ? $"{10 * Math.Log10(255.0 * 255.0 / (without / count)):F2}" : "inf";
        Console.WriteLine($"  {names[i],-16} {100.0 * pixels[i] / count,6:F1}% {100 * squared[i] / total,6:F1}% {rms,6:F1} {bias,13:F1} {ifPerfect,15}");
    }
    if (writeMap)
    {
        string mapPath = Path.Combine(dir, "reference-error-regions.png");
        regionMap.SaveAsPng(mapPath);
        Console.WriteLine($"  map: {mapPath} (yellow face, green head top, blue head sides, red matte only, magenta silhouette only, grey outside both, orange torso)");
    }
    Console.WriteLine($"  squared error per {n / 8}-row band (top to bottom): {string.Join(" ", rowBands.Select(b => $"{100 * b / total:F1}%"))}");
}
