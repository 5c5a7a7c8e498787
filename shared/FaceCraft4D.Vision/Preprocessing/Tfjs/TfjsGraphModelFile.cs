using System.Text.Json;

namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>
/// A TFJS graph model (<c>format: graph-model</c>): the graph's nodes from <c>modelTopology.node</c> and the decoded
/// constants named by the <c>weightsManifest</c> embedded in the same model.json (shards resolved next to it).
/// Every Const node must have a manifest weight of the same name and shape, and every weight a Const node.
/// </summary>
public sealed record TfjsGraphModelFile(
    string Path,
    IReadOnlyList<TfjsGraphNode> Nodes,
    IReadOnlyDictionary<string, TfjsTensor> Weights,
    IReadOnlyList<string> OutputNames)
{
    public static async Task<TfjsGraphModelFile> ReadAsync(string modelJsonPath, CancellationToken ct)
    {
        if (!File.Exists(modelJsonPath)) throw new FileNotFoundException($"TFJS graph model not found: {modelJsonPath}", modelJsonPath);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(modelJsonPath, ct).ConfigureAwait(false));
        var root = doc.RootElement;
        if (!root.TryGetProperty("format", out var format) || format.GetString() != "graph-model")
            throw new InvalidDataException($"{modelJsonPath} is not a TFJS graph model (format 'graph-model' expected).");
        var nodes = root.GetProperty("modelTopology").GetProperty("node").EnumerateArray().Select(ParseNode).ToList();
        var groups = JsonSerializer.Deserialize<TfjsWeightGroup[]>(root.GetProperty("weightsManifest").GetRawText())
            ?? throw new InvalidDataException($"{modelJsonPath} has no weightsManifest.");
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(modelJsonPath))!;
        var weights = new Dictionary<string, TfjsTensor>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            using var bytes = new MemoryStream();
            foreach (var shard in group.Paths)
            {
                var shardPath = System.IO.Path.Combine(folder, shard);
                if (!File.Exists(shardPath)) throw new FileNotFoundException($"weight shard '{shard}' named by {modelJsonPath} is missing.", shardPath);
                await using var fs = File.OpenRead(shardPath);
                await fs.CopyToAsync(bytes, ct).ConfigureAwait(false);
            }
            foreach (var t in TfjsWeightsReader.Decode(group, bytes.ToArray()))
                if (!weights.TryAdd(t.Name, t)) throw new InvalidDataException($"weight '{t.Name}' appears twice in {modelJsonPath}.");
        }
        CheckConstantsMatchWeights(modelJsonPath, nodes, weights);
        return new TfjsGraphModelFile(modelJsonPath, nodes, weights, OutputsOf(root, nodes));
    }

    private static TfjsGraphNode ParseNode(JsonElement n)
    {
        var inputs = n.TryGetProperty("input", out var i) ? i.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
        var attrs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (n.TryGetProperty("attr", out var a))
            foreach (var p in a.EnumerateObject()) attrs[p.Name] = p.Value.Clone();
        return new TfjsGraphNode(n.GetProperty("name").GetString()!, n.GetProperty("op").GetString()!, inputs, attrs);
    }

    private static void CheckConstantsMatchWeights(string path, List<TfjsGraphNode> nodes, Dictionary<string, TfjsTensor> weights)
    {
        var consts = nodes.Where(n => n.Op == "Const").ToList();
        var missing = consts.Where(c => !weights.ContainsKey(c.Name)).Select(c => c.Name).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{path}: {missing.Count} Const node(s) have no weight: {string.Join(", ", missing)}.");
        var names = consts.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var orphans = weights.Keys.Where(k => !names.Contains(k)).ToList();
        if (orphans.Count > 0) throw new InvalidDataException($"{path}: {orphans.Count} weight(s) belong to no Const node: {string.Join(", ", orphans)}.");
        foreach (var c in consts)
        {
            if (!c.Attributes.TryGetValue("value", out var v) || !v.TryGetProperty("tensor", out var t)) continue;
            if (!t.TryGetProperty("tensorShape", out var shape)) continue;
            var dims = shape.TryGetProperty("dim", out var d) ? d.EnumerateArray().Select(x => int.Parse(x.GetProperty("size").GetString()!)).ToArray() : [];
            if (!dims.SequenceEqual(weights[c.Name].Shape))
                throw new InvalidDataException($"{path}: Const '{c.Name}' is declared [{string.Join(", ", dims)}] but its weight is {weights[c.Name].ShapeText}.");
        }
    }

    /// <summary>The signature's outputs (names without ":0"), else the last node.</summary>
    private static IReadOnlyList<string> OutputsOf(JsonElement root, List<TfjsGraphNode> nodes)
    {
        if (root.TryGetProperty("signature", out var sig) && sig.TryGetProperty("outputs", out var outs))
            return outs.EnumerateObject().Select(o => o.Value.GetProperty("name").GetString()!.Split(':')[0]).ToList();
        if (root.TryGetProperty("userDefinedMetadata", out var meta) && meta.TryGetProperty("signature", out var s2) && s2.TryGetProperty("outputs", out var o2))
            return o2.EnumerateObject().Select(o => o.Value.GetProperty("name").GetString()!.Split(':')[0]).ToList();
        return [nodes[^1].Name];
    }

    /// <summary>The Placeholder nodes (graph inputs).</summary>
    public IReadOnlyList<TfjsGraphNode> Inputs => Nodes.Where(n => n.Op == "Placeholder").ToList();

    /// <summary>The declared input shape (NHWC; -1 for a free batch).</summary>
    public long[] InputShape(string name)
    {
        var node = Nodes.FirstOrDefault(n => n.Op == "Placeholder" && n.Name == name)
            ?? throw new InvalidDataException($"{Path} has no input '{name}'.");
        return node.Attributes["shape"].GetProperty("shape").GetProperty("dim").EnumerateArray()
            .Select(d => long.Parse(d.GetProperty("size").GetString()!)).ToArray();
    }
}
