using FaceCraft4D.Graphics.Flame;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Avatar;

/// <summary>
/// The posed triangle frames of a <see cref="FlameGaussianAvatar"/> (centroid [F, 3], rotation [F, 3, 3], scale [F] and the
/// rotation as a unit quaternion [F, 4]) per FLAME frame, so a training loop that revisits the same few frames poses FLAME
/// once per frame instead of once per step. Entries are keyed by the frame's values (expression, pose, translation; the
/// avatar's own identity shape is fixed), so a frame changed in place is simply a new entry; frames whose tensors require
/// gradients are never cached (posing must then stay in the graph). At most <see cref="Capacity"/> entries; when full the
/// oldest entry goes. Values are those of posing directly (the same operations per triangle; the quaternion is taken
/// per triangle before the binding's gather instead of after, which is row-wise the same computation).
/// </summary>
public sealed class PosedTriangleCache : IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<string> _age = new();

    /// <summary>Most frames held (0 = caching off).</summary>
    public int Capacity { get; set; }

    /// <summary>Frames held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Posed frames per triangle for one FLAME frame (detached tensors owned by the cache).</summary>
    public sealed class Entry : IDisposable
    {
        /// <summary>Centroids [F, 3].</summary>
        public required Tensor Centers { get; init; }

        /// <summary>Rotations [F, 3, 3].</summary>
        public required Tensor Rotations { get; init; }

        /// <summary>Scales [F].</summary>
        public required Tensor Scales { get; init; }

        /// <summary>Rotations as unit quaternions (w, x, y, z) [F, 4].</summary>
        public required Tensor Quaternions { get; init; }

        /// <inheritdoc />
        public void Dispose()
        {
            Centers.Dispose();
            Rotations.Dispose();
            Scales.Dispose();
            Quaternions.Dispose();
        }
    }

    /// <summary>
    /// The cached entry for <paramref name="frame"/>, computing it with <paramref name="pose"/> on a miss; null when caching is
    /// off or the frame takes part in autograd.
    /// </summary>
    public Entry? Get(FlameParameters frame, Func<TriangleFrames> pose)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (Capacity <= 0) return null;
        Tensor[] values = [frame.Expression, frame.GlobalRotation, frame.Neck, frame.Jaw, frame.Eyes, frame.Translation];
        if (values.Any(t => t.requires_grad)) return null;
        string key = Key(values);
        if (_entries.TryGetValue(key, out var hit)) return hit;
        Entry entry;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var frames = pose();
            entry = new Entry
            {
                Centers = frames.Centers.detach().DetachFromDisposeScope(),
                Rotations = frames.Rotations.detach().DetachFromDisposeScope(),
                Scales = frames.Scales.detach().DetachFromDisposeScope(),
                Quaternions = frames.Quaternions().detach().DetachFromDisposeScope(),
            };
        }
        while (_entries.Count >= Capacity && _age.Count > 0)
        {
            var old = _age.Dequeue();
            if (_entries.Remove(old, out var gone)) gone.Dispose();
        }
        _entries[key] = entry;
        _age.Enqueue(key);
        return entry;
    }

    /// <summary>The frame's values as an exact key (bytes of every tensor, with shapes and types).</summary>
    private static string Key(Tensor[] values)
    {
        var parts = new List<string>(values.Length);
        foreach (var t in values)
        {
            using var cpu = t.detach().cpu().contiguous();
            parts.Add($"{t.dtype}[{string.Join(",", t.shape)}]{Convert.ToHexString(cpu.bytes)}");
        }
        return string.Join("|", parts);
    }

    /// <summary>Drops every entry.</summary>
    public void Clear()
    {
        foreach (var e in _entries.Values) e.Dispose();
        _entries.Clear();
        _age.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => Clear();
}
