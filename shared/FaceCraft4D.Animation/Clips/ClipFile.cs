using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceCraft4D.Animation.Clips;

/// <summary>
/// The driving-clip file format <c>fc4d-clip/1</c> (JSON, camelCase; documented in shared/FaceCraft4D.Stages/README.md):
/// <code>
/// { "format": "fc4d-clip/1", "name": "smile", "description": "...", "fps": 25, "frameCount": 48,
///   "expressionBasis": null | "flame2023" | "fc4d-procedural-head" | ...,
///   "frames": [ { "controls": { "smile": 0.8, "jawOpen": 0.2 },      // optional, basis-independent
///                 "expression": [ e0, e1, ... ],                      // optional, FLAME expression index order
///                 "jaw": [x, y, z], "neck": [x, y, z], "eyes": [lx, ly, lz, rx, ry, rz] }, ... ] }   // optional, radians
/// </code>
/// Every value is relative to the subject's fitted neutral face. <c>frameCount</c> must equal the number of frames.
/// Explicit <c>expression</c> arrays need <c>expressionBasis</c> (the head model they were tracked with).
/// </summary>
public static class ClipFile
{
    /// <summary>Format tag.</summary>
    public const string FormatTag = "fc4d-clip/1";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Parses and validates a clip; <see cref="InvalidDataException"/> names the first problem.</summary>
    public static DrivingClip Parse(string json, string source = "clip")
    {
        ClipDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize<ClipDocument>(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a clip file ({e.Message}).", e);
        }
        if (doc is null) throw new InvalidDataException($"{source}: empty clip file.");
        if (doc.Format != FormatTag) throw new InvalidDataException($"{source}: format '{doc.Format}' is not '{FormatTag}'.");
        if (string.IsNullOrWhiteSpace(doc.Name)) throw new InvalidDataException($"{source}: 'name' is missing.");
        if (!(doc.Fps > 0 && doc.Fps <= 1000)) throw new InvalidDataException($"{source}: 'fps' must be in (0, 1000].");
        if (doc.Frames is not { Count: > 0 }) throw new InvalidDataException($"{source}: 'frames' is empty.");
        if (doc.FrameCount != doc.Frames.Count)
            throw new InvalidDataException($"{source}: 'frameCount' is {doc.FrameCount} but there are {doc.Frames.Count} frames.");
        var frames = new ClipFrame[doc.Frames.Count];
        for (int i = 0; i < frames.Length; i++)
        {
            var f = doc.Frames[i] ?? throw new InvalidDataException($"{source}: frame {i} is null.");
            Check(f.Jaw, 3, "jaw", i, source);
            Check(f.Neck, 3, "neck", i, source);
            Check(f.Eyes, 6, "eyes", i, source);
            if (f.Expression is not null && f.Expression.Any(v => !float.IsFinite(v)))
                throw new InvalidDataException($"{source}: frame {i} 'expression' has a non-finite value.");
            if (f.Controls is not null && f.Controls.Values.Any(v => !float.IsFinite(v)))
                throw new InvalidDataException($"{source}: frame {i} 'controls' has a non-finite value.");
            frames[i] = new ClipFrame(f.Controls, f.Expression, f.Jaw, f.Neck, f.Eyes);
        }
        var clip = new DrivingClip(doc.Name, doc.Description ?? string.Empty, doc.Fps, frames, doc.ExpressionBasis);
        if (clip.HasExpressionCoefficients && string.IsNullOrWhiteSpace(clip.ExpressionBasis))
            throw new InvalidDataException($"{source}: frames carry 'expression' coefficients but 'expressionBasis' does not say which model they belong to.");
        return clip;
    }

    /// <summary>Reads a clip file.</summary>
    public static async Task<DrivingClip> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), Path.GetFileName(path));

    /// <summary>Serialises a clip (one line per frame, values rounded to 5 decimals).</summary>
    public static string Write(DrivingClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        var frames = clip.Frames.Select(f => new FrameDocument
        {
            Controls = f.Controls?.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => Round(kv.Value)),
            Expression = f.Expression?.Select(Round).ToArray(),
            Jaw = f.Jaw?.Select(Round).ToArray(),
            Neck = f.Neck?.Select(Round).ToArray(),
            Eyes = f.Eyes?.Select(Round).ToArray(),
        });
        var header = new ClipDocument
        {
            Format = FormatTag, Name = clip.Name, Description = clip.Description, Fps = clip.Fps,
            FrameCount = clip.FrameCount, ExpressionBasis = clip.ExpressionBasis, Frames = null,
        };
        var head = JsonSerializer.Serialize(header, Options);
        var lines = frames.Select(f => "    " + JsonSerializer.Serialize(f, Options));
        // {"format":...,"frameCount":48} -> the same object with a "frames" array, one frame per line.
        return head[..^1] + ",\n  \"frames\": [\n" + string.Join(",\n", lines) + "\n  ]\n}\n";
    }

    private static float Round(float v) => (float)Math.Round(v, 5);

    private static void Check(float[]? values, int length, string name, int frame, string source)
    {
        if (values is null) return;
        if (values.Length != length) throw new InvalidDataException($"{source}: frame {frame} '{name}' needs {length} values, has {values.Length}.");
        if (values.Any(v => !float.IsFinite(v))) throw new InvalidDataException($"{source}: frame {frame} '{name}' has a non-finite value.");
    }

    private sealed class ClipDocument
    {
        public string? Format { get; set; }
        public string? Name { get; set; }
        public string? Description { get; set; }
        public double Fps { get; set; }
        public int FrameCount { get; set; }
        public string? ExpressionBasis { get; set; }
        public List<FrameDocument?>? Frames { get; set; }
    }

    private sealed class FrameDocument
    {
        public Dictionary<string, float>? Controls { get; set; }
        public float[]? Expression { get; set; }
        public float[]? Jaw { get; set; }
        public float[]? Neck { get; set; }
        public float[]? Eyes { get; set; }
    }
}
