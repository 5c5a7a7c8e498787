using FaceCraft4D.Weights;

namespace FaceCraft4D.Vision.Perceptual;

/// <summary>
/// The one LPIPS weights file and how it loads. It is the <c>lpips</c> package's <c>LPIPS(net='vgg')</c> state dict saved as
/// safetensors (<c>scaling_layer.shift|scale</c>, <c>net.slice{1..5}.{i}.weight|bias</c>, <c>lin{0..4}.model.1.weight</c>),
/// stored once in the models store at <see cref="DefaultModelPath"/> and used by every caller: the <c>lpips</c> metric,
/// COIN's perceptual loss and the PanoHead inversion. Upstream also registers the heads in the ModuleList <c>lins</c>, so its
/// state dict carries each head twice (<c>lin{k}.*</c> and <c>lins.{k}.*</c>); either name loads, and a file with both
/// must hold the same values under each.
/// </summary>
public static class LpipsWeights
{
    /// <summary>The file name inside <c>lpips/{version}/</c>.</summary>
    public const string FileName = "lpips-vgg16.safetensors";

    /// <summary>The default version folder.</summary>
    public const string DefaultVersion = "v0.1";

    /// <summary>Where the file lives in the models store (and in a local models folder).</summary>
    public const string DefaultModelPath = "lpips/" + DefaultVersion + "/" + FileName;

    /// <summary>
    /// Builds the network and loads <paramref name="weights"/> into it strictly (every network tensor present with its
    /// shape, no other tensor in the file). Without <paramref name="config"/> the configuration is read from the file
    /// (<see cref="InferConfig"/>). The network is in eval mode on the CPU.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an LPIPS state dict.</exception>
    /// <exception cref="WeightLoadException">Its tensors do not fit the configuration (named).</exception>
    public static LpipsNetwork Load(InMemorySafeTensors weights, LpipsConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights = WithoutHeadAliases(weights);
        config ??= InferConfig(weights);
        var network = new LpipsNetwork(config);
        try
        {
            StateDictLoader.Load(network, weights, "lpips");
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Reads the file at <paramref name="path"/> and loads it (<see cref="Load"/>).</summary>
    public static async Task<LpipsNetwork> LoadAsync(string path, CancellationToken cancellationToken, LpipsConfig? config = null)
    {
        var weights = await InMemorySafeTensors.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        return Load(weights, config);
    }

    /// <summary>
    /// The file with each <c>lins.{k}.*</c> alias folded into <c>lin{k}.*</c>: renamed when only the alias is there, dropped
    /// when both are and hold the same bytes.
    /// </summary>
    /// <exception cref="InvalidDataException">The two names of one head hold different tensors.</exception>
    private static InMemorySafeTensors WithoutHeadAliases(InMemorySafeTensors weights)
    {
        if (!weights.Names.Any(IsHeadAlias)) return weights;
        var folded = new InMemorySafeTensors();
        foreach (var (key, value) in weights.Metadata) folded.Metadata[key] = value;
        foreach (var tensor in weights.Tensors)
        {
            if (!IsHeadAlias(tensor.Name))
            {
                folded.Add(tensor);
                continue;
            }
            var canonical = "lin" + tensor.Name["lins.".Length..];
            if (!weights.TryGet(canonical, out var twin))
                folded.Add(new InMemorySafeTensor(canonical, tensor.DType, tensor.Shape, tensor.Data));
            else if (twin.DType != tensor.DType || !twin.Shape.SequenceEqual(tensor.Shape) || !twin.Data.Span.SequenceEqual(tensor.Data.Span))
                throw new InvalidDataException($"The LPIPS state dict holds different tensors under {canonical} and its alias {tensor.Name}.");
        }
        return folded;
    }

    private static bool IsHeadAlias(string name) => name.StartsWith("lins.", StringComparison.Ordinal);

    /// <summary>
    /// The configuration a state dict describes: VGG16 when it has <c>net.slice5.28.weight</c>, AlexNet when
    /// <c>net.slice1.0.weight</c> is 11×11; the widths from each slice's first convolution; heads with dropout
    /// (<c>lin0.model.1.weight</c>), without (<c>lin0.model.0.weight</c>) or none (the <c>lpips=False</c> baseline).
    /// Version 0.1 (scaled inputs), not spatial.
    /// </summary>
    /// <exception cref="InvalidDataException">Neither trunk is there.</exception>
    public static LpipsConfig InferConfig(InMemorySafeTensors weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights = WithoutHeadAliases(weights);
        LpipsTrunkKind kind;
        if (weights.Contains("net.slice5.28.weight")) kind = LpipsTrunkKind.Vgg16;
        else if (weights.TryGet("net.slice1.0.weight", out var first) && first.Shape is [_, 3, 11, 11]) kind = LpipsTrunkKind.AlexNet;
        else
        {
            string hint = weights.Contains("features.0.weight")
                ? " It looks like a torchvision checkpoint; save lpips.LPIPS(net='vgg').state_dict() instead (see the Vision README)."
                : "";
            throw new InvalidDataException(
                $"Not an LPIPS state dict: neither VGG16 (net.slice5.28.weight) nor AlexNet (11x11 net.slice1.0.weight) trunk keys.{hint}");
        }
        var channels = new int[5];
        for (int s = 0; s < 5; s++)
        {
            var key = $"net.slice{s + 1}.{LpipsTrunk.ConvIndices(kind, s)[0]}.weight";
            if (!weights.TryGet(key, out var conv) || conv.Shape.Count != 4)
                throw new InvalidDataException($"The LPIPS state dict lacks the convolution {key}.");
            channels[s] = checked((int)conv.Shape[0]);
        }
        bool withDropout = weights.Contains("lin0.model.1.weight");
        bool withoutDropout = weights.Contains("lin0.model.0.weight");
        return new LpipsConfig(kind, channels) { LinearHeads = withDropout || withoutDropout, HeadDropout = !withoutDropout };
    }
}
