using System.Runtime.InteropServices;

namespace FaceCraft4D.Vision.Perceptual.ResNet18;

/// <summary>One node of an ONNX graph: operator, input and output value names, and its integer(-list) attributes.</summary>
public sealed record OnnxNode(string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, long[]> IntAttributes);

/// <summary>A float32 initializer of an ONNX graph: its dims and values in row-major order.</summary>
public sealed record OnnxInitializer(string Name, long[] Dims, float[] Values);

/// <summary>
/// The parts of an ONNX <c>ModelProto</c> a weight port needs, read with <see cref="ProtobufWireReader"/>: the graph's
/// nodes in file (topological) order, its float32 initializers by name, and its input and output names. Field numbers
/// follow onnx.proto3: ModelProto.graph = 7, producer_name = 2; GraphProto.node = 1, initializer = 5, input = 11,
/// output = 12; NodeProto.input = 1, output = 2, op_type = 4, attribute = 5; AttributeProto.name = 1, i = 3, ints = 8;
/// TensorProto.dims = 1, data_type = 2 (1 = FLOAT), float_data = 4, name = 8, raw_data = 9, data_location = 14.
/// </summary>
public sealed class OnnxGraph
{
    private OnnxGraph(string producer, List<OnnxNode> nodes, Dictionary<string, OnnxInitializer> initializers, List<string> inputs, List<string> outputs)
    {
        Producer = producer; Nodes = nodes; Initializers = initializers; Inputs = inputs; Outputs = outputs;
    }

    /// <summary>The model's producer (e.g. <c>CNTK</c>).</summary>
    public string Producer { get; }

    /// <summary>Nodes in file order.</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Float32 initializers by name.</summary>
    public IReadOnlyDictionary<string, OnnxInitializer> Initializers { get; }

    /// <summary>Graph input names (initializers included when the producer lists them).</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Graph output names.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Reads an ONNX file.</summary>
    public static async Task<OnnxGraph> ReadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model not found: {path}", path);
        var bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        try
        {
            return Parse(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path} is not a readable ONNX model: {e.Message}", e);
        }
    }

    /// <summary>Parses a serialized <c>ModelProto</c>.</summary>
    public static OnnxGraph Parse(ReadOnlySpan<byte> model)
    {
        string producer = "";
        ReadOnlySpan<byte> graph = default;
        bool hasGraph = false;
        var r = new ProtobufWireReader(model);
        while (r.TryNext())
        {
            if (r.Field == 2 && r.WireType == 2) producer = r.Text;
            else if (r.Field == 7 && r.WireType == 2) { graph = r.Bytes; hasGraph = true; }
        }
        if (!hasGraph) throw new InvalidDataException("the ModelProto has no graph (field 7).");

        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxInitializer>(StringComparer.Ordinal);
        var inputs = new List<string>();
        var outputs = new List<string>();
        var g = new ProtobufWireReader(graph);
        while (g.TryNext())
        {
            if (g.WireType != 2) continue;
            switch (g.Field)
            {
                case 1: nodes.Add(ReadNode(g.Bytes)); break;
                case 5:
                    var init = ReadTensor(g.Bytes);
                    if (init is not null && !initializers.TryAdd(init.Name, init))
                        throw new InvalidDataException($"initializer '{init.Name}' appears twice.");
                    break;
                case 11: inputs.Add(ReadValueInfoName(g.Bytes)); break;
                case 12: outputs.Add(ReadValueInfoName(g.Bytes)); break;
            }
        }
        return new OnnxGraph(producer, nodes, initializers, inputs, outputs);
    }

    private static OnnxNode ReadNode(ReadOnlySpan<byte> bytes)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        string op = "";
        var r = new ProtobufWireReader(bytes);
        while (r.TryNext())
        {
            switch (r.Field)
            {
                case 1: inputs.Add(r.Text); break;
                case 2: outputs.Add(r.Text); break;
                case 4: op = r.Text; break;
                case 5:
                    var (name, ints) = ReadIntAttribute(r.Bytes);
                    if (ints is not null) attributes[name] = ints;
                    break;
            }
        }
        return new OnnxNode(op, inputs, outputs, attributes);
    }

    /// <summary>An attribute's name and its integer value(s); null values for other attribute kinds.</summary>
    private static (string Name, long[]? Ints) ReadIntAttribute(ReadOnlySpan<byte> bytes)
    {
        string name = "";
        List<long>? ints = null;
        var r = new ProtobufWireReader(bytes);
        while (r.TryNext())
        {
            if (r.Field == 1) name = r.Text;
            else if (r.Field == 3 && r.WireType == 0) (ints ??= []).Add((long)r.Scalar);
            else if (r.Field == 8) r.ReadInt64s(ints ??= []);
        }
        return (name, ints?.ToArray());
    }

    private static OnnxInitializer? ReadTensor(ReadOnlySpan<byte> bytes)
    {
        var dims = new List<long>();
        int dataType = 0;
        string name = "";
        ReadOnlySpan<byte> raw = default;
        bool hasRaw = false, external = false;
        List<float>? floats = null;
        var r = new ProtobufWireReader(bytes);
        while (r.TryNext())
        {
            switch (r.Field)
            {
                case 1: r.ReadInt64s(dims); break;
                case 2: dataType = (int)r.Scalar; break;
                case 4:
                    floats ??= [];
                    if (r.WireType == 5) floats.Add(r.Float32);
                    else if (r.WireType == 2) floats.AddRange(MemoryMarshal.Cast<byte, float>(r.Bytes).ToArray());
                    break;
                case 8: name = r.Text; break;
                case 9: raw = r.Bytes; hasRaw = true; break;
                case 14: external = r.Scalar == 1; break;
            }
        }
        if (dataType != 1) return null; // only float32 weights are ported
        if (external) throw new InvalidDataException($"initializer '{name}' keeps its data in an external file, which is not supported.");
        long count = dims.Aggregate(1L, (a, d) => checked(a * d));
        float[] values = hasRaw ? MemoryMarshal.Cast<byte, float>(raw).ToArray() : floats?.ToArray() ?? [];
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
        if (values.Length != count)
            throw new InvalidDataException($"initializer '{name}' has {values.Length} values for dims [{string.Join(", ", dims)}].");
        return new OnnxInitializer(name, dims.ToArray(), values);
    }

    private static string ReadValueInfoName(ReadOnlySpan<byte> bytes)
    {
        var r = new ProtobufWireReader(bytes);
        while (r.TryNext()) if (r.Field == 1 && r.WireType == 2) return r.Text;
        return "";
    }
}
