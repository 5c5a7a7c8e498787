using System.Text.Json;

namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>
/// A tfjs graph model (<c>model.json</c> with format "graph-model"): the topology's nodes, the signature's named
/// inputs/outputs (key to node name) and the decoded weights of its embedded weights manifest (one per Const node,
/// by node name), with their stored dtypes ("float32" or "int32"). Outputs come from <c>signature.outputs</c>, else
/// <c>userDefinedMetadata.signature.outputs</c>, else the last node.
/// </summary>
public sealed class TfjsGraphModelFile
{
    public required string Path { get; init; }
    public required IReadOnlyList<TfjsGraphNode> Nodes { get; init; }
    public required IReadOnlyDictionary<string, string> SignatureInputs { get; init; }
    public required IReadOnlyDictionary<string, string> SignatureOutputs { get; init; }
    public required IReadOnlyDictionary<string, TfjsTensor> Weights { get; init; }
    public required IReadOnlyDictionary<string, string> WeightDtypes { get; init; }

    public static async Task<TfjsGraphModelFile> LoadAsync(string modelJsonPath, CancellationToken ct)
    {
        if (!File.Exists(modelJsonPath))
            throw new FileNotFoundException($"tfjs graph model not found: {modelJsonPath}", modelJsonPath);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(modelJsonPath, ct).ConfigureAwait(false));
        var root = doc.RootElement;
        if (!root.TryGetProperty("modelTopology", out var topology) || !topology.TryGetProperty("node", out var nodeArray))
            throw new InvalidDataException($"{modelJsonPath} is not a tfjs graph model (no modelTopology.node).");
        var nodes = nodeArray.EnumerateArray().Select(TfjsGraphNode.Parse).ToList();
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("signature", out var sig))
        {
            Read(sig, "inputs", inputs);
            Read(sig, "outputs", outputs);
        }
        if (outputs.Count == 0 && root.TryGetProperty("userDefinedMetadata", out var meta) && meta.TryGetProperty("signature", out var metaSig))
            Read(metaSig, "outputs", outputs);
        if (outputs.Count == 0 && nodes.Count > 0) outputs[nodes[^1].Name] = nodes[^1].Name;

        var groups = JsonSerializer.Deserialize<TfjsWeightGroup[]>(root.GetProperty("weightsManifest").GetRawText())
            ?? throw new InvalidDataException($"{modelJsonPath}: empty weightsManifest.");
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(modelJsonPath))!;
        var weights = new Dictionary<string, TfjsTensor>(StringComparer.Ordinal);
        var dtypes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            using var stream = new MemoryStream();
            foreach (var shard in group.Paths)
            {
                var shardPath = System.IO.Path.Combine(folder, shard);
                if (!File.Exists(shardPath))
                    throw new FileNotFoundException($"tfjs weight shard '{shard}' named by {modelJsonPath} is missing.", shardPath);
                await using var fs = File.OpenRead(shardPath);
                await fs.CopyToAsync(stream, ct).ConfigureAwait(false);
            }
            foreach (var t in TfjsWeightsReader.Decode(group, stream.ToArray()))
                if (!weights.TryAdd(t.Name, t)) throw new InvalidDataException($"tfjs weight '{t.Name}' appears twice in {modelJsonPath}.");
            foreach (var spec in group.Weights) dtypes[spec.Name] = spec.Dtype;
        }
        return new TfjsGraphModelFile
        {
            Path = modelJsonPath, Nodes = nodes, SignatureInputs = inputs, SignatureOutputs = outputs,
            Weights = weights, WeightDtypes = dtypes,
        };

        static void Read(JsonElement sig, string key, Dictionary<string, string> into)
        {
            if (!sig.TryGetProperty(key, out var map)) return;
            foreach (var p in map.EnumerateObject())
            {
                var name = p.Value.GetProperty("name").GetString()!;
                into[p.Name] = name.EndsWith(":0", StringComparison.Ordinal) ? name[..^2] : name;
            }
        }
    }

    /// <summary>The single Placeholder's declared shape (NHWC; -1 for a free dimension); empty when undeclared.</summary>
    public long[] InputShape()
    {
        var placeholders = Nodes.Where(n => n.Op == "Placeholder").ToList();
        if (placeholders.Count != 1) throw new InvalidDataException($"{Path}: expected one Placeholder input, found {placeholders.Count}.");
        return placeholders[0].Shape("shape");
    }
}
