using System.Globalization;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Performance;

/// <summary>
/// A chunk's track as safetensors (<c>track.safetensors</c>, format <c>fc4d-video-track/1</c>), one row per tracked frame
/// (overlap included), float32: <c>frame</c> [N], <c>tracked</c> [N] (1/0), <c>expression</c> [N, E'], <c>jaw</c> [N, 3],
/// <c>eyes</c> [N, 6], <c>rotation</c> [N, 3] (head axis-angle), <c>translation</c> [N, 3] (camera metres),
/// <c>error_iod</c> [N], <c>faces</c> [N], <c>inner_lip</c> [N], <c>landmarks68</c> [N, 136] and, when the dense mesh ran,
/// <c>dense</c> [N, 3 D] (NaN rows where a frame has none). Metadata: format, first, count, overlap, total_frames, width,
/// height, landmark_backend.
/// </summary>
public static class PerformanceTrackFile
{
    /// <summary>Format tag.</summary>
    public const string FormatTag = "fc4d-video-track/1";

    /// <summary>The file of a chunk.</summary>
    public static InMemorySafeTensors Build(PerformanceChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var frames = chunk.Frames;
        var obs = chunk.Observations;
        if (frames.Count != obs.Count || frames.Count == 0) throw new ArgumentException("A chunk needs as many observations as frames, at least one.", nameof(chunk));
        int n = frames.Count, e = frames[0].Expression.Length;
        int denseLength = obs.Select(o => o.Dense?.Length ?? 0).Max();
        var file = new InMemorySafeTensors();
        using var scope = torch.NewDisposeScope();
        void Put(string name, IEnumerable<float> values, int width) =>
            file.Add(name, width == 0 ? torch.tensor(values.ToArray(), [n]) : torch.tensor(values.ToArray(), [n, width]));
        Put("frame", frames.Select(f => (float)f.Frame), 0);
        Put("tracked", frames.Select(f => f.Tracked ? 1f : 0f), 0);
        Put("expression", frames.SelectMany(f => f.Expression), e);
        Put("jaw", frames.SelectMany(f => f.Jaw), 3);
        Put("eyes", frames.SelectMany(f => f.Eyes), 6);
        Put("rotation", frames.SelectMany(f => f.Rotation), 3);
        Put("translation", frames.SelectMany(f => f.Translation), 3);
        Put("error_iod", frames.Select(f => (float)f.ErrorIod), 0);
        Put("faces", obs.Select(o => (float)o.FacesFound), 0);
        Put("inner_lip", frames.Select(f => (float)f.InnerLip), 0);
        Put("landmarks68", obs.SelectMany(o => o.Landmarks68 ?? Enumerable.Repeat(float.NaN, 136)), 136);
        if (denseLength > 0) Put("dense", obs.SelectMany(o => o.Dense is { } d && d.Length == denseLength ? d : Enumerable.Repeat(float.NaN, denseLength)), denseLength);
        var inv = CultureInfo.InvariantCulture;
        file.Metadata["format"] = FormatTag;
        file.Metadata["first"] = chunk.Range.First.ToString(inv);
        file.Metadata["count"] = chunk.Range.Count.ToString(inv);
        file.Metadata["overlap"] = chunk.Range.Overlap.ToString(inv);
        file.Metadata["total_frames"] = chunk.Range.TotalFrames.ToString(inv);
        file.Metadata["width"] = obs[0].Width.ToString(inv);
        file.Metadata["height"] = obs[0].Height.ToString(inv);
        file.Metadata["landmark_backend"] = chunk.LandmarkBackend;
        return file;
    }

    /// <summary>Reads a chunk back; <see cref="InvalidDataException"/> for a file that is not a track.</summary>
    public static async Task<PerformanceChunk> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var file = await InMemorySafeTensors.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        if (!file.Metadata.TryGetValue("format", out var format) || format != FormatTag) throw new InvalidDataException($"Not a {FormatTag} file.");
        int Meta(string key) => file.Metadata.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
            ? i : throw new InvalidDataException($"Track metadata '{key}' is missing or not an integer.");
        var range = new ChunkRange(Meta("first"), Meta("count"), Meta("overlap"), Meta("total_frames"));
        try { range.Validated(); }
        catch (ArgumentException ex) { throw new InvalidDataException($"Track range is invalid: {ex.Message}", ex); }
        int width = Meta("width"), height = Meta("height");
        float[] Values(string name)
        {
            if (!file.Contains(name)) throw new InvalidDataException($"Track has no '{name}' tensor.");
            using var t = file.GetTorch(name, torch.CPU, ScalarType.Float32);
            return t.contiguous().data<float>().ToArray();
        }
        var frameIndex = Values("frame");
        int n = frameIndex.Length;
        if (n != range.TrackCount) throw new InvalidDataException($"Track has {n} frames; its range tracks {range.TrackCount}.");
        var tracked = Values("tracked");
        var expression = Values("expression");
        int e = expression.Length / n;
        var jaw = Values("jaw");
        var eyes = Values("eyes");
        var rotation = Values("rotation");
        var translation = Values("translation");
        var error = Values("error_iod");
        var faces = Values("faces");
        var lip = Values("inner_lip");
        var landmarks = Values("landmarks68");
        float[]? dense = file.Contains("dense") ? Values("dense") : null;
        int d = dense is null ? 0 : dense.Length / n;
        var frames = new List<PerformanceFrame>(n);
        var observations = new List<FaceObservation>(n);
        for (int i = 0; i < n; i++)
        {
            var lm = landmarks.AsSpan(136 * i, 136).ToArray();
            float[]? dn = dense is null ? null : dense.AsSpan(d * i, d).ToArray();
            bool hasFace = !float.IsNaN(lm[0]);
            if (dn is not null && float.IsNaN(dn[0])) dn = null;
            observations.Add(new FaceObservation((int)frameIndex[i], (int)faces[i], hasFace ? lm : null, hasFace ? dn : null, width, height));
            frames.Add(new PerformanceFrame((int)frameIndex[i], tracked[i] > 0.5f, expression.AsSpan(e * i, e).ToArray(), jaw.AsSpan(3 * i, 3).ToArray(),
                eyes.AsSpan(6 * i, 6).ToArray(), rotation.AsSpan(3 * i, 3).ToArray(), translation.AsSpan(3 * i, 3).ToArray(), error[i], (int)faces[i], lip[i]));
        }
        return new PerformanceChunk(range, frames, observations, file.Metadata.TryGetValue("landmark_backend", out var b) ? b : "unknown");
    }
}
