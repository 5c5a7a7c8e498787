using System.Text.Json;
using FaceCraft4D.Vision.Preprocessing.Tfjs;

namespace FaceCraft4D.Vision.SuperResolution;

/// <summary>
/// A TFJS layers model (<c>model.json</c> with <c>format: layers-model</c>): the Keras functional topology
/// (<c>modelTopology.model_config.config.layers</c>, each with its <c>inbound_nodes</c>), the output layer, and the weights
/// read from the shards of <c>weightsManifest</c> with <see cref="TfjsWeightsReader.Decode"/>. Only what
/// <see cref="TfjsLayersNetwork"/> ports is read from each layer's config (channels-last data, one inbound node per layer).
/// </summary>
public sealed class TfjsLayersModel
{
    private TfjsLayersModel(string name, IReadOnlyList<TfjsLayerSpec> layers, string output, IReadOnlyDictionary<string, TfjsTensor> weights)
    {
        Name = name; Layers = layers; Output = output; Weights = weights;
    }

    /// <summary>The model's name (e.g. the folder it came from).</summary>
    public string Name { get; }

    /// <summary>Layers in file (topological) order.</summary>
    public IReadOnlyList<TfjsLayerSpec> Layers { get; }

    /// <summary>Name of the output layer.</summary>
    public string Output { get; }

    /// <summary>Weights by name (<c>{layer}/kernel</c>, <c>{layer}/bias</c>).</summary>
    public IReadOnlyDictionary<string, TfjsTensor> Weights { get; }

    /// <summary>Reads <paramref name="modelJsonPath"/> and the weight shards next to it.</summary>
    public static async Task<TfjsLayersModel> LoadAsync(string modelJsonPath, string name, CancellationToken ct)
    {
        if (!File.Exists(modelJsonPath)) throw new FileNotFoundException($"TFJS layers model not found: {modelJsonPath}", modelJsonPath);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(modelJsonPath, ct).ConfigureAwait(false));
        var root = doc.RootElement;
        if (!root.TryGetProperty("modelTopology", out var topology) || !topology.TryGetProperty("model_config", out var modelConfig))
            throw new InvalidDataException($"{modelJsonPath} is not a TFJS layers model (no modelTopology.model_config).");
        var config = modelConfig.GetProperty("config");
        var layers = config.GetProperty("layers").EnumerateArray().Select(ParseLayer).ToList();
        var outputs = config.GetProperty("output_layers").EnumerateArray().Select(o => o[0].GetString()!).ToList();
        if (outputs.Count != 1) throw new InvalidDataException($"{modelJsonPath}: {outputs.Count} outputs; one is supported.");

        var manifest = TfjsWeightsManifest.Parse(root.GetProperty("weightsManifest").GetRawText());
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelJsonPath))!;
        var weights = new Dictionary<string, TfjsTensor>(StringComparer.Ordinal);
        foreach (var group in manifest.Groups)
        {
            using var bytes = new MemoryStream();
            foreach (var shard in group.Paths)
            {
                var shardPath = Path.Combine(folder, shard);
                if (!File.Exists(shardPath)) throw new FileNotFoundException($"weight shard '{shard}' named by {modelJsonPath} is missing.", shardPath);
                await using var fs = File.OpenRead(shardPath);
                await fs.CopyToAsync(bytes, ct).ConfigureAwait(false);
            }
            foreach (var t in TfjsWeightsReader.Decode(group, bytes.ToArray()))
                if (!weights.TryAdd(t.Name, t)) throw new InvalidDataException($"{modelJsonPath}: weight '{t.Name}' appears twice.");
        }
        return new TfjsLayersModel(name, layers, outputs[0], weights);
    }

    private static TfjsLayerSpec ParseLayer(JsonElement layer)
    {
        var className = layer.GetProperty("class_name").GetString()!;
        var c = layer.GetProperty("config");
        var name = layer.TryGetProperty("name", out var n) ? n.GetString()! : c.GetProperty("name").GetString()!;
        var inputs = new List<string>();
        if (layer.TryGetProperty("inbound_nodes", out var inbound))
        {
            var nodes = inbound.EnumerateArray().ToList();
            if (nodes.Count > 1) throw new InvalidDataException($"layer '{name}' is called {nodes.Count} times; shared layers are not supported.");
            foreach (var node in nodes)
                foreach (var edge in node.EnumerateArray()) inputs.Add(edge[0].GetString()!);
        }
        if (c.TryGetProperty("data_format", out var format) && format.GetString() != "channels_last")
            throw new InvalidDataException($"layer '{name}': data_format {format.GetString()} is not supported.");
        int Square(string property)
        {
            if (!c.TryGetProperty(property, out var v)) return 1;
            var values = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [v.GetInt32()];
            if (values.Distinct().Count() != 1) throw new InvalidDataException($"layer '{name}': non-square {property} [{string.Join(", ", values)}] is not supported.");
            return values[0];
        }
        string Text(string property, string fallback) => c.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : fallback;
        return className switch
        {
            "InputLayer" => new TfjsLayerSpec(className, name, inputs),
            "Conv2D" => Square("dilation_rate") != 1
                ? throw new InvalidDataException($"layer '{name}': dilated convolutions are not supported.")
                : new TfjsLayerSpec(className, name, inputs, Filters: c.GetProperty("filters").GetInt32(), KernelSize: Square("kernel_size"),
                    Stride: Square("strides"), Padding: Text("padding", "valid"), Activation: Text("activation", "linear"),
                    UseBias: !c.TryGetProperty("use_bias", out var b) || b.GetBoolean()),
            "Activation" => new TfjsLayerSpec(className, name, inputs, Activation: Text("activation", "linear")),
            "Add" or "Concatenate" => new TfjsLayerSpec(className, name, inputs, Axis: c.TryGetProperty("axis", out var a) ? a.GetInt32() : -1),
            "UpSampling2D" => new TfjsLayerSpec(className, name, inputs, UpSampling: Square("size"), Interpolation: Text("interpolation", "nearest")),
            _ => throw new InvalidDataException($"layer '{name}': Keras layer class {className} is not supported by the port."),
        };
    }
}
