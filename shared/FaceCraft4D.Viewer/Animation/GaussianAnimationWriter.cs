using System.Buffers.Binary;
using System.Text.Json;

namespace FaceCraft4D.Viewer.Animation;

/// <summary>
/// Writes <see cref="GaussianAnimationIndex"/> clips for the viewer (for the Export stage). Offsets are
/// frame-major [frames][gaussians × 3] relative to avatar.ply positions.
/// </summary>
public static class GaussianAnimationWriter
{
    public const string Float16 = "float16";
    public const string Float32 = "float32";

    /// <summary>Clip file name for <paramref name="clipName"/>: <c>animation/{name}.f16</c> or <c>.f32</c>.</summary>
    public static string ClipFile(string clipName, string encoding) =>
        $"animation/{clipName}.{(encoding == Float16 ? "f16" : "f32")}";

    /// <summary>Writes one clip's binary to <paramref name="stream"/>.</summary>
    public static async Task WriteClipAsync(Stream stream, IReadOnlyList<float[]> frameOffsets, int gaussianCount, string encoding, CancellationToken ct)
    {
        if (encoding is not (Float16 or Float32)) throw new ArgumentException($"unknown encoding '{encoding}'", nameof(encoding));
        int bytesPer = encoding == Float16 ? 2 : 4;
        var buffer = new byte[gaussianCount * 3 * bytesPer];
        foreach (var frame in frameOffsets)
        {
            if (frame.Length != gaussianCount * 3) throw new ArgumentException($"a frame has {frame.Length} offsets, expected {gaussianCount * 3}");
            for (int i = 0; i < frame.Length; i++)
            {
                if (encoding == Float16) BinaryPrimitives.WriteHalfLittleEndian(buffer.AsSpan(2 * i), (Half)frame[i]);
                else BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), frame[i]);
            }
            await stream.WriteAsync(buffer, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the index and every clip under <paramref name="artifactRoot"/> (a local folder mirroring <c>avatars/{runId}/</c>).</summary>
    public static async Task<GaussianAnimationIndex> WriteFolderAsync(string artifactRoot, int gaussianCount,
        IEnumerable<(string Name, double Fps, IReadOnlyList<float[]> Frames)> clips, string encoding, CancellationToken ct)
    {
        var entries = new List<GaussianAnimationClip>();
        foreach (var (name, fps, frames) in clips)
        {
            if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
                throw new ArgumentException($"clip name '{name}' must be ASCII letters, digits, '-' or '_'");
            var file = ClipFile(name, encoding);
            var path = Path.Combine(artifactRoot, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using (var s = File.Create(path)) await WriteClipAsync(s, frames, gaussianCount, encoding, ct).ConfigureAwait(false);
            entries.Add(new GaussianAnimationClip(name, fps, frames.Count, file, encoding));
        }
        var index = new GaussianAnimationIndex(GaussianAnimationIndex.FormatTag, gaussianCount, entries);
        var indexPath = Path.Combine(artifactRoot, GaussianAnimationIndex.ArtifactName);
        Directory.CreateDirectory(Path.GetDirectoryName(indexPath)!);
        await File.WriteAllTextAsync(indexPath, JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }), ct).ConfigureAwait(false);
        return index;
    }

    /// <summary>Reads one frame back (tests, tools).</summary>
    public static float[] ReadFrame(ReadOnlySpan<byte> clip, int frame, int gaussianCount, string encoding)
    {
        int bytesPer = encoding == Float16 ? 2 : 4, n = gaussianCount * 3;
        var slice = clip.Slice(frame * n * bytesPer, n * bytesPer);
        var result = new float[n];
        for (int i = 0; i < n; i++)
            result[i] = encoding == Float16 ? (float)BinaryPrimitives.ReadHalfLittleEndian(slice[(2 * i)..]) : BinaryPrimitives.ReadSingleLittleEndian(slice[(4 * i)..]);
        return result;
    }
}
