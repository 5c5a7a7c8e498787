using System.Text.Json;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>Typed access to a diffusers <c>config.json</c> (snake_case keys; some values are an int or a per-block list).</summary>
internal sealed class DiffusersJson
{
    private readonly JsonElement _root;
    private readonly string _source;

    public DiffusersJson(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{source}: config is not a JSON object.");
        _root = root;
        _source = source;
    }

    public bool Has(string key) => _root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>The key is present, even when its value is null.</summary>
    public bool Contains(string key) => _root.TryGetProperty(key, out _);

    /// <summary>An int, or the first entry of a list (e.g. <c>sample_size</c> given as [h, w]).</summary>
    public int IntOrFirst(string key, int fallback)
    {
        if (!Has(key)) return fallback;
        var v = _root.GetProperty(key);
        return v.ValueKind == JsonValueKind.Array ? v[0].GetInt32() : v.GetInt32();
    }

    /// <summary>A bool repeated per block, or a list with one entry per block.</summary>
    public bool[] BoolPerBlock(string key, int blocks, bool fallback)
    {
        if (!Has(key)) return Enumerable.Repeat(fallback, blocks).ToArray();
        var v = _root.GetProperty(key);
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return Enumerable.Repeat(v.GetBoolean(), blocks).ToArray();
        var list = v.EnumerateArray().Select(e => e.GetBoolean()).ToArray();
        if (list.Length != blocks) throw new InvalidDataException($"{_source}: '{key}' has {list.Length} entries, expected {blocks}.");
        return list;
    }

    public int Int(string key, int fallback) => Has(key) ? _root.GetProperty(key).GetInt32() : fallback;

    public int? OptionalInt(string key) => Has(key) ? _root.GetProperty(key).GetInt32() : null;

    public double Double(string key, double fallback) => Has(key) ? _root.GetProperty(key).GetDouble() : fallback;

    public double? OptionalDouble(string key) => Has(key) ? _root.GetProperty(key).GetDouble() : null;

    public bool Bool(string key, bool fallback) => Has(key) ? _root.GetProperty(key).GetBoolean() : fallback;

    public string? String(string key, string? fallback) => Has(key) ? _root.GetProperty(key).GetString() : fallback;

    public string[] Strings(string key, string[] fallback)
        => Has(key) ? _root.GetProperty(key).EnumerateArray().Select(e => e.GetString() ?? "").ToArray() : fallback;

    public double[] Doubles(string key) => _root.GetProperty(key).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public int[] Ints(string key, int[] fallback)
        => Has(key) ? _root.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray() : fallback;

    /// <summary>An int repeated per block, or a list with one entry per block.</summary>
    public int[] IntPerBlock(string key, int blocks, int fallback)
    {
        if (!Has(key)) return Enumerable.Repeat(fallback, blocks).ToArray();
        var v = _root.GetProperty(key);
        if (v.ValueKind == JsonValueKind.Number) return Enumerable.Repeat(v.GetInt32(), blocks).ToArray();
        var list = v.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        if (list.Length != blocks) throw new InvalidDataException($"{_source}: '{key}' has {list.Length} entries, expected {blocks}.");
        return list;
    }

    /// <summary>An int, a per-block list, or a per-block list of per-layer lists; normalised to [block][layer].</summary>
    public int[][] IntPerBlockPerLayer(string key, int[] layersPerBlock, int fallback)
    {
        int blocks = layersPerBlock.Length;
        if (!Has(key)) return layersPerBlock.Select(n => Enumerable.Repeat(fallback, n).ToArray()).ToArray();
        var v = _root.GetProperty(key);
        if (v.ValueKind == JsonValueKind.Number)
            return layersPerBlock.Select(n => Enumerable.Repeat(v.GetInt32(), n).ToArray()).ToArray();
        var items = v.EnumerateArray().ToArray();
        if (items.Length != blocks) throw new InvalidDataException($"{_source}: '{key}' has {items.Length} entries, expected {blocks}.");
        var result = new int[blocks][];
        for (int i = 0; i < blocks; i++)
        {
            if (items[i].ValueKind == JsonValueKind.Number) result[i] = Enumerable.Repeat(items[i].GetInt32(), layersPerBlock[i]).ToArray();
            else
            {
                result[i] = items[i].EnumerateArray().Select(e => e.GetInt32()).ToArray();
                if (result[i].Length != layersPerBlock[i])
                    throw new InvalidDataException($"{_source}: '{key}'[{i}] has {result[i].Length} entries, expected {layersPerBlock[i]}.");
            }
        }
        return result;
    }

    /// <summary>Throws a clear error when a key holds a value this port does not implement.</summary>
    public void Require(string key, Func<JsonElement, bool> supported, string what)
    {
        if (_root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null && !supported(v))
            throw new NotSupportedException($"{_source}: {key}={v.GetRawText()} is not supported by this port ({what}).");
    }

    public static async Task<DiffusersJson> LoadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new DiffusersJson(doc.RootElement.Clone(), path);
    }

    public static DiffusersJson Parse(string json, string source)
    {
        using var doc = JsonDocument.Parse(json);
        return new DiffusersJson(doc.RootElement.Clone(), source);
    }
}
