using System.Text;
using System.Text.Json;

namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>
/// One node of a TFJS graph model's <c>modelTopology.node</c> list (a TensorFlow GraphDef NodeDef in JSON):
/// its name, op, input node names and attributes (strings base64-encoded, integer lists as decimal strings).
/// </summary>
public sealed record TfjsGraphNode(string Name, string Op, IReadOnlyList<string> Inputs, IReadOnlyDictionary<string, JsonElement> Attributes)
{
    public bool Has(string key) => Attributes.ContainsKey(key);

    /// <summary>A string attribute (TF stores bytes; the JSON holds them base64-encoded).</summary>
    public string String(string key) => Encoding.UTF8.GetString(Convert.FromBase64String(Attr(key).GetProperty("s").GetString()!));

    /// <summary>An integer-list attribute (strides, ksize, squeeze_dims); empty when the list has no integers.</summary>
    public long[] Ints(string key) =>
        Attr(key).GetProperty("list").TryGetProperty("i", out var i) ? i.EnumerateArray().Select(ParseLong).ToArray() : [];

    /// <summary>A string-list attribute (fused_ops), decoded.</summary>
    public string[] Strings(string key) =>
        Attributes.TryGetValue(key, out var a) && a.GetProperty("list").TryGetProperty("s", out var s)
            ? s.EnumerateArray().Select(e => Encoding.UTF8.GetString(Convert.FromBase64String(e.GetString()!))).ToArray()
            : [];

    public bool Bool(string key, bool fallback = false) =>
        Attributes.TryGetValue(key, out var a) && a.TryGetProperty("b", out var b) ? b.GetBoolean() : fallback;

    public double Float(string key, double fallback = 0) =>
        Attributes.TryGetValue(key, out var a) && a.TryGetProperty("f", out var f) ? f.GetDouble() : fallback;

    private JsonElement Attr(string key) =>
        Attributes.TryGetValue(key, out var a) ? a : throw new InvalidDataException($"graph node '{Name}' ({Op}) lacks attribute '{key}'.");

    private static long ParseLong(JsonElement e) => e.ValueKind == JsonValueKind.String ? long.Parse(e.GetString()!) : e.GetInt64();
}
