using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Perceptual.ResNet18;

/// <summary>
/// Loads the weights of <c>ResNet18.onnx</c> (NuGet <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.24.0, MIT) into a
/// <see cref="ResNet18Trunk"/>. The ONNX graph (a CNTK export) names its tensors <c>ParameterNN</c>/<c>ConstantNN</c>, so the
/// mapping follows the graph: every <c>Conv</c> node with the <c>BatchNormalization</c> that consumes its output (inputs
/// X, scale, B, mean, var → torchvision's weight, bias, running_mean, running_var). The graph lists, in order, the stem conv,
/// then per block conv1 and conv2, with each stage's 1×1 shortcut conv just before its first block; the 1×1 convs are
/// assigned to <c>layer{2,3,4}.0.downsample</c> and the others, in order, to the main path. The blocks per stage are counted
/// from the convolutions' widths (64, 128, 256, 512): this graph has 2, 2, 2 and 3 (CNTK's ResNet-18 has a third block in
/// the last stage, 13.5 M parameters in all; torchvision's has 2). Strict: every tensor must fit
/// its parameter's shape and stride, every parameter must be filled once, and every float initializer must be used.
/// </summary>
public static class ResNet18OnnxWeights
{
    /// <summary>Reads <paramref name="onnxPath"/> and returns a frozen trunk in eval mode.</summary>
    public static async Task<ResNet18Trunk> LoadAsync(string onnxPath, CancellationToken ct)
    {
        var graph = await OnnxGraph.ReadAsync(onnxPath, ct).ConfigureAwait(false);
        try
        {
            return Load(graph);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{onnxPath}: {e.Message}", e);
        }
    }

    /// <summary>Builds a trunk from a parsed graph (eval mode, parameters frozen).</summary>
    public static ResNet18Trunk Load(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var pairs = ConvBatchNormPairs(graph);
        var blocks = BlocksPerStage(graph, pairs);
        var main = new List<(string Prefix, string Bn, int Stride)> { ("conv1", "bn1", 2) };
        var shortcuts = new List<(string Prefix, string Bn, int Stride)>();
        for (int stage = 1; stage <= 4; stage++)
        {
            for (int block = 0; block < blocks[stage - 1]; block++)
            {
                int stride = stage > 1 && block == 0 ? 2 : 1;
                var p = $"layer{stage}.{block}";
                main.Add(($"{p}.conv1", $"{p}.bn1", stride));
                main.Add(($"{p}.conv2", $"{p}.bn2", 1));
                if (stage > 1 && block == 0) shortcuts.Add(($"{p}.downsample.0", $"{p}.downsample.1", 2));
            }
        }
        var oneByOne = pairs.Where(p => IsOneByOne(graph, p.Conv)).ToList();
        var others = pairs.Where(p => !IsOneByOne(graph, p.Conv)).ToList();
        if (others.Count != main.Count || oneByOne.Count != shortcuts.Count)
            throw new InvalidDataException($"the graph has {others.Count} 3×3/7×7 and {oneByOne.Count} 1×1 convolutions; ResNet-18 has {main.Count} and {shortcuts.Count}.");

        var trunk = new ResNet18Trunk(blocks);
        var targets = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in trunk.named_parameters()) targets[name] = p;
        foreach (var (name, b) in trunk.named_buffers()) targets[name] = b;
        var filled = new HashSet<string>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        using (torch.no_grad())
        {
            void Copy(string initializer, string target)
            {
                if (!graph.Initializers.TryGetValue(initializer, out var init))
                    throw new InvalidDataException($"initializer '{initializer}' (for {target}) is missing.");
                if (!targets.TryGetValue(target, out var t)) throw new InvalidOperationException($"the trunk has no tensor '{target}'.");
                long count = init.Values.Length;
                if (count != t.numel())
                    throw new InvalidDataException($"'{initializer}' [{string.Join(", ", init.Dims)}] does not fit {target} [{string.Join(", ", t.shape)}].");
                if (init.Dims.Length == t.ndim && !init.Dims.SequenceEqual(t.shape))
                    throw new InvalidDataException($"'{initializer}' [{string.Join(", ", init.Dims)}] does not fit {target} [{string.Join(", ", t.shape)}].");
                using var value = torch.tensor(init.Values, t.shape, t.dtype);
                t.copy_(value);
                if (!filled.Add(target)) throw new InvalidDataException($"{target} is filled twice.");
                used.Add(initializer);
            }
            void Assign((OnnxNode Conv, OnnxNode Bn) pair, (string Prefix, string Bn, int Stride) to)
            {
                if (pair.Conv.IntAttributes.TryGetValue("strides", out var strides) && strides.Any(s => s != to.Stride))
                    throw new InvalidDataException($"the convolution for {to.Prefix} has strides [{string.Join(", ", strides)}]; expected {to.Stride}.");
                Copy(pair.Conv.Inputs[1], $"{to.Prefix}.weight");
                Copy(pair.Bn.Inputs[1], $"{to.Bn}.weight");
                Copy(pair.Bn.Inputs[2], $"{to.Bn}.bias");
                Copy(pair.Bn.Inputs[3], $"{to.Bn}.running_mean");
                Copy(pair.Bn.Inputs[4], $"{to.Bn}.running_var");
            }
            for (int i = 0; i < main.Count; i++) Assign(others[i], main[i]);
            for (int i = 0; i < shortcuts.Count; i++) Assign(oneByOne[i], shortcuts[i]);
        }
        var unfilled = targets.Keys.Where(k => !filled.Contains(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        if (unfilled.Count > 0) throw new InvalidDataException($"{unfilled.Count} trunk tensor(s) got no weights: {string.Join(", ", unfilled.Take(5))}.");
        var unused = graph.Initializers.Keys.Where(k => !used.Contains(k)).ToList();
        if (unused.Count > 0) throw new InvalidDataException($"{unused.Count} initializer(s) were not used by the port: {string.Join(", ", unused.Take(5))}.");
        trunk.eval();
        foreach (var p in trunk.parameters()) p.requires_grad_(false);
        return trunk;
    }

    /// <summary>Blocks per stage: the 3×3 convolutions of each stage's width (the stem excluded), two per block.</summary>
    private static int[] BlocksPerStage(OnnxGraph graph, List<(OnnxNode Conv, OnnxNode Bn)> pairs)
    {
        int[] widths = [64, 128, 256, 512];
        var threeByThree = pairs.Skip(1).Where(p => !IsOneByOne(graph, p.Conv))
            .Select(p => graph.Initializers.TryGetValue(p.Conv.Inputs[1], out var w) ? w.Dims[0] : -1).ToList();
        var blocks = widths.Select(w => threeByThree.Count(c => c == w)).ToArray();
        if (blocks.Sum() != threeByThree.Count || blocks.Any(b => b == 0 || b % 2 != 0))
            throw new InvalidDataException($"the graph's 3×3 convolutions (widths {string.Join(", ", threeByThree)}) do not form ResNet basic blocks of widths 64, 128, 256, 512.");
        return blocks.Select(b => b / 2).ToArray();
    }

    private static bool IsOneByOne(OnnxGraph graph, OnnxNode conv) =>
        graph.Initializers.TryGetValue(conv.Inputs[1], out var w) && w.Dims.Length == 4 && w.Dims[2] == 1 && w.Dims[3] == 1;

    /// <summary>Each Conv node (file order) with the BatchNormalization node reading its output.</summary>
    private static List<(OnnxNode Conv, OnnxNode Bn)> ConvBatchNormPairs(OnnxGraph graph)
    {
        var consumers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in graph.Nodes)
            if (n.OpType == "BatchNormalization" && n.Inputs.Count == 5) consumers[n.Inputs[0]] = n;
        var pairs = new List<(OnnxNode, OnnxNode)>();
        foreach (var n in graph.Nodes.Where(n => n.OpType == "Conv"))
        {
            if (n.Inputs.Count != 2) throw new InvalidDataException($"Conv node '{n.Outputs.FirstOrDefault()}' has a bias input; ResNet-18's convolutions have none.");
            if (!consumers.TryGetValue(n.Outputs[0], out var bn))
                throw new InvalidDataException($"Conv node '{n.Outputs[0]}' is not followed by a BatchNormalization.");
            pairs.Add((n, bn));
        }
        return pairs;
    }
}
