using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>
/// Runs a tfjs graph model in TorchSharp, node by node in the graph's own structure (<see cref="TfjsGraphKernels"/>).
/// Construction binds every Const node to its weight BY NODE NAME, strictly: each Const needs its weight, each weight
/// must be a Const that some signature output consumes, and every op must be supported, otherwise it throws naming
/// the offenders. Convolution filters are converted to torch layout once here.
/// </summary>
public sealed class TfjsGraphExecutor : IDisposable
{
    private readonly Dictionary<string, TfjsGraphNode> nodes;
    private readonly Dictionary<string, Tensor> constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> torchFilters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<TfjsGraphNode>> plans = new(StringComparer.Ordinal);
    private readonly string inputName;

    public string ModelName { get; }
    public Device Device { get; }
    public IReadOnlyDictionary<string, string> SignatureOutputs { get; }

    public TfjsGraphExecutor(TfjsGraphModelFile model, string modelName, Device device)
    {
        ModelName = modelName; Device = device;
        SignatureOutputs = model.SignatureOutputs;
        nodes = model.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var placeholders = model.Nodes.Where(n => n.Op == "Placeholder").ToList();
        if (placeholders.Count != 1) throw new InvalidDataException($"{modelName}: expected one Placeholder input, found {placeholders.Count}.");
        inputName = placeholders[0].Name;

        var unsupported = model.Nodes.Where(n => n.Op is not ("Const" or "Placeholder") && !TfjsGraphKernels.SupportedOps.Contains(n.Op))
            .Select(n => n.Op).Distinct().ToList();
        if (unsupported.Count > 0) throw new NotSupportedException($"{modelName}: unsupported graph ops: {string.Join(", ", unsupported)}.");

        // Strict binding by node name.
        var constNodes = model.Nodes.Where(n => n.Op == "Const").ToList();
        var missing = constNodes.Where(n => !model.Weights.ContainsKey(n.Name)).Select(n => n.Name).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{modelName}: {missing.Count} Const node(s) have no weight: {string.Join(", ", missing.Take(10))}.");
        var constNames = constNodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var reachable = Plan(SignatureOutputs.Values.ToArray()).SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);
        var unused = model.Weights.Keys.Where(k => !constNames.Contains(k) || !reachable.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
            throw new InvalidDataException($"{modelName}: {unused.Count} weight(s) are not consumed by the graph's outputs: {string.Join(", ", unused.Take(10))}.");

        using var _ = torch.no_grad();
        foreach (var n in constNodes)
        {
            var w = model.Weights[n.Name];
            var dtype = model.WeightDtypes.GetValueOrDefault(n.Name, "float32");
            var shape = w.Shape.Select(d => (long)d).ToArray();
            constants[n.Name] = dtype switch
            {
                // disposeAfter: the host tensor is held through the copy and disposed, not left to the finalizer.
                "float32" => torch.tensor(w.Values, shape, ScalarType.Float32).to(device, disposeAfter: true),
                "int32" => torch.tensor(w.Values.Select(v => checked((int)v)).ToArray(), shape, ScalarType.Int32).to(device, disposeAfter: true),
                _ => throw new NotSupportedException($"{modelName}: Const '{n.Name}' has dtype {dtype}."),
            };
        }
        foreach (var n in model.Nodes.Where(n => n.Op is "_FusedConv2D" or "Conv2D" or "DepthwiseConv2dNative" or "FusedDepthwiseConv2dNative" or "Conv2DBackpropInput"))
        {
            var filterName = n.Inputs[1];
            if (!model.Weights.TryGetValue(filterName, out var filter))
                throw new InvalidDataException($"{modelName}: {n} reads its filter from '{filterName}', which is not a weight.");
            using var converted = TfjsWeightBinder.ToTorchLayout(filter, FilterLayout(n.Op));
            torchFilters[n.Name] = converted.to(device);
        }
    }

    /// <summary>
    /// Torch layout of a conv op's TF filter: [out, in/groups, kh, kw] for convolutions; for Conv2DBackpropInput the
    /// TF filter [kh, kw, out, in] takes the same permutation, giving conv_transpose2d's [in, out, kh, kw].
    /// </summary>
    private static TfjsLayout FilterLayout(string op) =>
        op is "DepthwiseConv2dNative" or "FusedDepthwiseConv2dNative" ? TfjsLayout.DepthwiseFilter : TfjsLayout.ConvFilter;

    public static async Task<TfjsGraphExecutor> LoadAsync(string modelJsonPath, string modelName, Device device, CancellationToken ct)
    {
        var file = await TfjsGraphModelFile.LoadAsync(modelJsonPath, ct).ConfigureAwait(false);
        return new TfjsGraphExecutor(file, modelName, device);
    }

    /// <summary>Resolves a signature output key (or a node name) to its node name.</summary>
    public string OutputNode(string keyOrNode) =>
        SignatureOutputs.TryGetValue(keyOrNode, out var n) ? n
        : nodes.ContainsKey(keyOrNode) ? keyOrNode
        : throw new KeyNotFoundException($"{ModelName}: no output or node '{keyOrNode}'.");

    /// <summary>
    /// Runs the graph on <paramref name="input"/> (the Placeholder, e.g. [N, 192, 192, 3] NHWC) and returns the
    /// requested node outputs in order (caller disposes). Intermediates are freed as soon as their last reader ran.
    /// </summary>
    public Tensor[] Execute(Tensor input, IReadOnlyList<string> outputNodes)
    {
        var key = string.Join("\n", outputNodes);
        if (!plans.TryGetValue(key, out var plan)) plans[key] = plan = Plan(outputNodes);
        var remaining = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in plan) foreach (var i in n.Inputs) remaining[i] = remaining.GetValueOrDefault(i) + 1;
        foreach (var o in outputNodes) remaining[o] = remaining.GetValueOrDefault(o) + 1;

        using var _ = torch.no_grad();
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var n in plan)
            {
                if (n.Op == "Const" || n.Name == inputName) continue;
                var args = new Tensor[n.Inputs.Count];
                for (int i = 0; i < args.Length; i++) args[i] = Value(n.Inputs[i]);
                values[n.Name] = TfjsGraphKernels.Run(n, args, torchFilters.GetValueOrDefault(n.Name));
                foreach (var i in n.Inputs) Release(i);
            }
            var result = outputNodes.Select(o => Value(o).alias()).ToArray();
            return result;
        }
        finally
        {
            foreach (var v in values.Values) v.Dispose();
        }

        Tensor Value(string name) =>
            name == inputName ? input
            : constants.TryGetValue(name, out var c) ? c
            : values.TryGetValue(name, out var v) ? v
            : throw new InvalidOperationException($"{ModelName}: node '{name}' has no value yet.");

        void Release(string name)
        {
            if (--remaining[name] > 0) return;
            if (values.Remove(name, out var t)) t.Dispose();
        }
    }

    /// <summary>The nodes the outputs depend on, in an order where every node follows its inputs.</summary>
    private List<TfjsGraphNode> Plan(IReadOnlyList<string> outputs)
    {
        var order = new List<TfjsGraphNode>();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: visiting, true: done
        var stack = new Stack<(string Name, bool Expanded)>();
        foreach (var o in outputs.Reverse()) stack.Push((o, false));
        while (stack.Count > 0)
        {
            var (name, expanded) = stack.Pop();
            if (expanded) { state[name] = true; order.Add(nodes[name]); continue; }
            if (state.TryGetValue(name, out var done))
            {
                if (!done) throw new InvalidDataException($"{ModelName}: the graph has a cycle through '{name}'.");
                continue;
            }
            if (!nodes.TryGetValue(name, out var node)) throw new InvalidDataException($"{ModelName}: graph input '{name}' names no node.");
            state[name] = false;
            stack.Push((name, true));
            for (int i = node.Inputs.Count - 1; i >= 0; i--)
                if (!state.ContainsKey(node.Inputs[i])) stack.Push((node.Inputs[i], false));
        }
        return order;
    }

    public void Dispose()
    {
        foreach (var t in constants.Values) t.Dispose();
        foreach (var t in torchFilters.Values) t.Dispose();
        constants.Clear(); torchFilters.Clear();
    }
}
