using System.Text.Json;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Weights;

/// <summary>
/// A set of safetensors files read as one state dict: a single file, or the shards listed by a diffusers
/// <c>*.safetensors.index.json</c> (<c>{"weight_map": {key: shard-file}}</c>). Keys may be exposed under a prefix-strip
/// (e.g. read <c>retarget_eye.mlp.0.weight</c> as <c>mlp.0.weight</c>).
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
    }

    /// <summary>Paths of the files behind this source.</summary>
    public IReadOnlyList<string> Paths => _files.Select(f => f.Path).ToList();

    /// <summary>All entries by key.</summary>
    public IReadOnlyDictionary<string, SafeTensorEntry> Entries => _byKey.ToDictionary(kv => kv.Key, kv => kv.Value.Entry, StringComparer.Ordinal);

    public bool Contains(string key) => _byKey.ContainsKey(key);

    public SafeTensorEntry Entry(string key) => _byKey[key].Entry;

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
            var shards = map.EnumerateObject().Select(p => p.Value.GetString()!).Distinct(StringComparer.Ordinal).ToList();
            var files = new List<SafeTensorsFile>();
            try
            {
                foreach (var shard in shards)
                    files.Add(await SafeTensorsFile.OpenAsync(System.IO.Path.Combine(dir, shard), cancellationToken).ConfigureAwait(false));
                return new SafeTensorsSource(files);
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
