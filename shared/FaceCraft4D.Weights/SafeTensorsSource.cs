using System.Text.Json;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights;

/// <summary>
/// A set of safetensors files read lazily as one state dict: a single file, or the shards listed by a
/// <c>*.safetensors.index.json</c> (<c>{"weight_map": {key: shard-file}}</c>; every key of the map must be in the shard
/// it names, and no key may be in two shards). <see cref="StateDictLoader"/> loads it into a module.
/// </summary>
public sealed class SafeTensorsSource : IDisposable
{
    private readonly List<SafeTensorsFile> _files;
    private readonly Dictionary<string, (SafeTensorsFile File, SafeTensorEntry Entry)> _byKey;

    private SafeTensorsSource(List<SafeTensorsFile> files)
    {
        _files = files;
        _byKey = new Dictionary<string, (SafeTensorsFile, SafeTensorEntry)>(StringComparer.Ordinal);
        foreach (var f in files)
            foreach (var (k, e) in f.Entries)
                if (!_byKey.TryAdd(k, (f, e)))
                    throw new InvalidDataException($"Tensor '{k}' appears in both {_byKey[k].File.Path} and {f.Path}.");
        Entries = _byKey.ToDictionary(kv => kv.Key, kv => kv.Value.Entry, StringComparer.Ordinal);
    }

    /// <summary>Paths of the files behind this source.</summary>
    public IReadOnlyList<string> Paths => _files.Select(f => f.Path).ToList();

    /// <summary>All entries by key.</summary>
    public IReadOnlyDictionary<string, SafeTensorEntry> Entries { get; }

    /// <summary>True when some file holds <paramref name="key"/>.</summary>
    public bool Contains(string key) => _byKey.ContainsKey(key);

    /// <summary>The header entry of <paramref name="key"/> (dtype, shape); throws <see cref="KeyNotFoundException"/> naming it.</summary>
    public SafeTensorEntry Entry(string key) =>
        _byKey.TryGetValue(key, out var hit) ? hit.Entry : throw new KeyNotFoundException($"No tensor named '{key}' in {string.Join(", ", Paths)}.");

    /// <summary>Opens one <c>.safetensors</c> file, or every shard named by a <c>.safetensors.index.json</c>.</summary>
    public static async Task<SafeTensorsSource> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        if (path.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase))
        {
            await using var s = File.OpenRead(path);
            using var doc = await JsonDocument.ParseAsync(s, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!doc.RootElement.TryGetProperty("weight_map", out var map))
                throw new InvalidDataException($"{path}: no weight_map.");
            var dir = System.IO.Path.GetDirectoryName(path) ?? ".";
            if (map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: weight_map is not a JSON object.");
            var weightMap = map.EnumerateObject().ToDictionary(p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new InvalidDataException($"{path}: weight_map['{p.Name}'] is not a file name."),
                StringComparer.Ordinal);
            var shards = weightMap.Values.Distinct(StringComparer.Ordinal).ToList();
            var files = new List<SafeTensorsFile>();
            try
            {
                foreach (var shard in shards)
                    files.Add(await SafeTensorsFile.OpenAsync(System.IO.Path.Combine(dir, shard), cancellationToken).ConfigureAwait(false));
                var source = new SafeTensorsSource(files);
                foreach (var (key, shard) in weightMap)
                    if (!source._byKey.TryGetValue(key, out var hit) || hit.File.Path != System.IO.Path.Combine(dir, shard))
                        throw new InvalidDataException($"{path}: weight_map puts '{key}' in {shard}, which does not hold it.");
                return source;
            }
            catch
            {
                foreach (var f in files) f.Dispose();
                throw;
            }
        }
        var file = await SafeTensorsFile.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        return new SafeTensorsSource([file]);
    }

    /// <summary>Reads one tensor (see <see cref="SafeTensorsFile.ReadTensorAsync"/>).</summary>
    public Task<Tensor> ReadTensorAsync(string key, Device? device, ScalarType? dtype, CancellationToken cancellationToken)
    {
        if (!_byKey.TryGetValue(key, out var hit)) throw new KeyNotFoundException($"No tensor named '{key}' in {string.Join(", ", Paths)}.");
        return hit.File.ReadTensorAsync(key, device, dtype, cancellationToken);
    }

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
