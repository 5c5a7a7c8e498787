using FaceCraft4D.Metrics.Identity.ArcFace;
using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.ArcFace;

/// <summary>
/// insightface arcface_torch <c>IResNet(block, layers, dropout, num_features, zero_init_residual, groups,
/// width_per_group, replace_stride_with_dilation, fp16)(image) → embedding</c> through <see cref="IResNet"/>. The
/// stored weights and the formula tensors (all convs and <c>fc.weight</c>) are joined into one state dict and loaded by
/// the production <see cref="ArcFaceEmbedder.LoadNetworkAsync(SafeTensorsSource, CancellationToken)"/>, which infers the
/// depth and embedding size from the keys; that must agree with the case's config.
/// </summary>
public sealed class IResNetParityModule : IParityModule
{
    /// <summary>arcface_torch hard-codes the stage widths.</summary>
    private static readonly int[] UpstreamWidths = [64, 128, 256, 512];

    public string Module => "arcface.iresnet";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var expected = ConfigOf(parityCase);
        Dictionary<string, long[]> shapes;
        using (var shapeNet = new IResNet(expected))
            shapes = shapeNet.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);

        using var weights = await FormulaWeights.CombineAsync(parityCase, shapes, cancellationToken);
        using var source = await SafeTensorsSource.OpenAsync(weights.IndexPath, cancellationToken);
        using var net = await ArcFaceEmbedder.LoadNetworkAsync(source, cancellationToken);
        if (!net.Config.Layers.SequenceEqual(expected.Layers) || !net.Config.Widths.SequenceEqual(expected.Widths)
            || net.Config.EmbeddingSize != expected.EmbeddingSize)
            throw new InvalidDataException($"{parityCase.Id}: the loader read {Describe(net.Config)} from the weights, the config says {Describe(expected)}.");

        net.eval();
        using var _ = torch.no_grad();
        var embedding = net.forward(parityCase.Input("image")); // [B, 3, H, W] in [-1, 1] → [B, num_features]
        return new Dictionary<string, Tensor> { ["out.embedding"] = embedding };
    }

    /// <summary>The port's config for the case's kwargs; kwargs without effect in eval on the CPU are accepted.</summary>
    private static ArcFaceConfig ConfigOf(ParityCase parityCase)
    {
        var kw = new UpstreamKwargs(parityCase.Config, parityCase.Id);
        kw.RejectUnknown("block", "layers", "dropout", "num_features", "zero_init_residual", "groups", "width_per_group",
            "replace_stride_with_dilation", "fp16");
        if (kw.String("block", "IBasicBlock") != "IBasicBlock")
            throw kw.Unsupported("block", "arcface_torch defines only IBasicBlock.");
        // Upstream raises for these (IBasicBlock supports groups=1, base_width=64 only).
        if (kw.Int("groups", 1) != 1) throw kw.Unsupported("groups", "IBasicBlock only supports groups=1 (upstream raises ValueError).");
        if (kw.Int("width_per_group", 64) != 64) throw kw.Unsupported("width_per_group", "IBasicBlock only supports base_width=64 (upstream raises ValueError).");
        if (kw.Bools("replace_stride_with_dilation") is { } dilate && dilate.Any(d => d))
            throw kw.Unsupported("replace_stride_with_dilation", "the port has no dilated stages (upstream raises for every dilated block but a last single one).");
        // dropout: identity in eval. zero_init_residual: initialisation only. fp16: torch.cuda.amp.autocast has no
        // effect on CPU tensors and fc runs in float32 either way.
        _ = kw.Double("dropout", 0);
        _ = kw.Bool("zero_init_residual", false);
        _ = kw.Bool("fp16", false);
        var layers = kw.Ints("layers");
        if (layers.Length != 4) throw kw.Unsupported("layers", "IResNet has four stages.");
        return new ArcFaceConfig(layers, UpstreamWidths, kw.Int("num_features", 512));
    }

    private static string Describe(ArcFaceConfig c) =>
        $"layers [{string.Join(",", c.Layers)}], widths [{string.Join(",", c.Widths)}], {c.EmbeddingSize}-d";
}
