using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>
/// Quantization record of one tfjs weight: stored values q decode to <c>q * Scale + Min</c>
/// (affine uint8/uint16), or are IEEE half floats when <see cref="Dtype"/> is <c>float16</c>.
/// </summary>
public sealed record TfjsQuantization(
    [property: JsonPropertyName("dtype")] string Dtype,
    [property: JsonPropertyName("scale")] double? Scale,
    [property: JsonPropertyName("min")] double? Min);

/// <summary>One weight entry of a tfjs weights manifest group.</summary>
public sealed record TfjsWeightSpec(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("shape")] int[] Shape,
    [property: JsonPropertyName("dtype")] string Dtype,
    [property: JsonPropertyName("quantization")] TfjsQuantization? Quantization)
{
    /// <summary>Number of scalar elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (acc, d) => acc * d);
}

/// <summary>
/// One group of a tfjs weights manifest: the binary shards in <see cref="Paths"/> are concatenated in order,
/// and the weights in <see cref="Weights"/> follow each other in that byte stream without padding.
/// </summary>
public sealed record TfjsWeightGroup(
    [property: JsonPropertyName("paths")] string[] Paths,
    [property: JsonPropertyName("weights")] TfjsWeightSpec[] Weights);

/// <summary>A tfjs <c>*-weights_manifest.json</c> file: a JSON array of weight groups.</summary>
public sealed record TfjsWeightsManifest(IReadOnlyList<TfjsWeightGroup> Groups)
{
    public static TfjsWeightsManifest Parse(string json)
    {
        var groups = JsonSerializer.Deserialize<TfjsWeightGroup[]>(json)
            ?? throw new InvalidDataException("tfjs weights manifest is empty.");
        foreach (var g in groups)
        {
            if (g.Paths is null || g.Paths.Length == 0) throw new InvalidDataException("tfjs weights manifest group has no shard paths.");
            if (g.Weights is null) throw new InvalidDataException("tfjs weights manifest group has no weights.");
        }
        return new TfjsWeightsManifest(groups);
    }

    public string ToJson() => JsonSerializer.Serialize(Groups, new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
