using System.Text;
using System.Text.Json;

namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>
/// One node of a tfjs graph model's topology (<c>modelTopology.node[]</c> of a converted TensorFlow GraphDef):
/// its name, op, data inputs (control inputs <c>^name</c> dropped, <c>name:0</c> normalised to <c>name</c>) and attributes.
/// </summary>
public sealed class TfjsGraphNode
{
    private readonly JsonElement attrs;

    public string Name { get; }
    public string Op { get; }
    public IReadOnlyList<string> Inputs { get; }

    public TfjsGraphNode(string name, string op, IReadOnlyList<string> inputs, JsonElement attrs)
    {
        Name = name; Op = op; Inputs = inputs; this.attrs = attrs;
    }

    public static TfjsGraphNode Parse(JsonElement node)
    {
        var name = node.GetProperty("name").GetString() ?? throw new InvalidDataException("graph node without a name");
        var op = node.GetProperty("op").GetString() ?? throw new InvalidDataException($"graph node '{name}' without an op");
        var inputs = new List<string>();
        if (node.TryGetProperty("input", out var ins))
            foreach (var i in ins.EnumerateArray())
            {
                var s = i.GetString()!;
                if (s.StartsWith('^')) continue; // control dependency: ordering only
                if (s.Contains(':'))
                {
                    var (baseName, index) = (s[..s.LastIndexOf(':')], s[(s.LastIndexOf(':') + 1)..]);
                    if (index != "0") throw new NotSupportedException($"graph node '{name}' reads output {index} of '{baseName}'; only single-output ops are supported.");
                    s = baseName;
                }
                inputs.Add(s);
            }
        var attrs = node.TryGetProperty("attr", out var a) ? a.Clone() : default;
        return new TfjsGraphNode(name, op, inputs, attrs);
    }

    private JsonElement? Attr(string key) =>
        attrs.ValueKind == JsonValueKind.Object && attrs.TryGetProperty(key, out var v) ? v : null;

    public long Int(string key, long fallback = 0) =>
        Attr(key) is { } v && v.TryGetProperty("i", out var i) ? long.Parse(i.GetString() ?? i.GetRawText().Trim('"')) : fallback;

    public bool Bool(string key, bool fallback = false) =>
        Attr(key) is { } v && v.TryGetProperty("b", out var b) ? b.GetBoolean() : fallback;

    public double Float(string key, double fallback = 0) =>
        Attr(key) is { } v && v.TryGetProperty("f", out var f) ? f.GetDouble() : fallback;

    /// <summary>A shape attribute (e.g. a Placeholder's "shape"): its dims, -1 for unknown; empty when absent.</summary>
    public long[] Shape(string key) =>
        Attr(key) is { } v && v.TryGetProperty("shape", out var s) && s.TryGetProperty("dim", out var dims)
            ? dims.EnumerateArray().Select(d => long.Parse(d.GetProperty("size").GetString()!)).ToArray()
            : Array.Empty<long>();

    /// <summary>A string attribute (stored base64-encoded in the JSON).</summary>
    public string? String(string key) =>
        Attr(key) is { } v && v.TryGetProperty("s", out var s) ? Encoding.UTF8.GetString(Convert.FromBase64String(s.GetString()!)) : null;

    public long[] Ints(string key) =>
        Attr(key) is { } v && v.TryGetProperty("list", out var l) && l.TryGetProperty("i", out var arr)
            ? arr.EnumerateArray().Select(e => long.Parse(e.GetString()!)).ToArray()
            : Array.Empty<long>();

    public string[] Strings(string key) =>
        Attr(key) is { } v && v.TryGetProperty("list", out var l) && l.TryGetProperty("s", out var arr)
            ? arr.EnumerateArray().Select(e => Encoding.UTF8.GetString(Convert.FromBase64String(e.GetString()!))).ToArray()
            : Array.Empty<string>();

    /// <summary>A type attribute, e.g. "DT_FLOAT" or "DT_INT32".</summary>
    public string? Type(string key) =>
        Attr(key) is { } v && v.TryGetProperty("type", out var t) ? t.GetString() : null;

    public override string ToString() => $"{Op} '{Name}'";
}
