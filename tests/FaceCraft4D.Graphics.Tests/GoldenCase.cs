using System.Text.Json;
using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>One reference scene of the splatting goldens (see the goldens README for the layout).</summary>
internal sealed class GoldenCase
{
    public required string Name { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int N { get; init; }
    public required int ShDegree { get; init; }
    public required double[] ViewMat { get; init; }
    public required double[] K { get; init; }
    public required double[] Background { get; init; }
    public required double[] Means { get; init; }
    public required double[] Quats { get; init; }
    public required double[] Scales { get; init; }
    public required double[] Opacities { get; init; }
    public required double[] ShCoeffs { get; init; }
    public required long[] ShShape { get; init; }
    public required int[] ExpectedRadii { get; init; }
    public required double[] ExpectedMeans2d { get; init; }
    public required double[] ExpectedDepths { get; init; }
    public required double[] ExpectedConics { get; init; }
    public required double[] ExpectedColors { get; init; }
    public required double[] ExpectedImage { get; init; }
    public required double[] ExpectedAlpha { get; init; }

    public Camera Camera
    {
        get
        {
            if (Math.Abs(K[1]) > 1e-12 || Math.Abs(K[3]) > 1e-12 || Math.Abs(K[8] - 1) > 1e-12)
                throw new InvalidDataException($"{Name}: K must be [fx 0 cx; 0 fy cy; 0 0 1].");
            return new Camera(new CameraIntrinsics(Width, Height, K[0], K[4], K[2], K[5]), new CameraExtrinsics(ViewMat), Name);
        }
    }

    public static GoldenCase Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        var e = r.GetProperty("expected");
        if (r.TryGetProperty("convention", out var conv) && conv.TryGetProperty("camera", out var cam) && !cam.GetString()!.StartsWith("OpenCV", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: unsupported camera convention '{cam.GetString()}'.");
        return new GoldenCase
        {
            Name = r.TryGetProperty("name", out var nm) ? nm.GetString()! : Path.GetFileNameWithoutExtension(path),
            Width = r.GetProperty("width").GetInt32(),
            Height = r.GetProperty("height").GetInt32(),
            N = r.GetProperty("n").GetInt32(),
            ShDegree = r.GetProperty("sh_degree").GetInt32(),
            ViewMat = D(r, "viewmat"),
            K = D(r, "K"),
            Background = D(r, "background"),
            Means = D(r, "means"),
            Quats = D(r, "quats"),
            Scales = D(r, "scales"),
            Opacities = D(r, "opacities"),
            ShCoeffs = D(r, "sh_coeffs"),
            ShShape = r.GetProperty("sh_coeffs_shape").EnumerateArray().Select(x => x.GetInt64()).ToArray(),
            ExpectedRadii = e.GetProperty("radii").EnumerateArray().Select(x => (int)Math.Round(x.GetDouble())).ToArray(),
            ExpectedMeans2d = D(e, "means2d"),
            ExpectedDepths = D(e, "depths"),
            ExpectedConics = D(e, "conics"),
            ExpectedColors = D(e, "colors"),
            ExpectedImage = D(e, "image"),
            ExpectedAlpha = D(e, "alpha"),
        };
    }

    private static double[] D(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble()).ToArray();
}
