using FaceCraft4D.Metrics.Inception;
using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.Inception;

/// <summary>
/// pytorch-fid <c>InceptionV3(output_blocks, resize_input, normalize_input, requires_grad, use_fid_inception)(image)</c>
/// through <see cref="FidInceptionV3"/>: one output <c>out.block{i}</c> per requested block. The stored BatchNorm tensors
/// and the formula conv weights (FID checkpoint names) are joined and loaded by the production
/// <see cref="InceptionFeatureExtractor.LoadWeightsAsync"/>.
/// </summary>
public sealed class FidInceptionParityModule : IParityModule
{
    public string Module => "inception.fid_v3";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var kw = new UpstreamKwargs(parityCase.Config, parityCase.Id);
        kw.RejectUnknown("output_blocks", "resize_input", "normalize_input", "requires_grad", "use_fid_inception");
        if (!kw.Bool("use_fid_inception", true))
            throw kw.Unsupported("use_fid_inception", "the port is the FID Inception (torchvision's own variant pools differently).");
        kw.Bool("requires_grad", false); // training only
        var blocks = kw.Ints("output_blocks", [3]).Distinct().Order().ToArray();
        if (blocks.Length == 0 || blocks.Any(b => b is < 0 or > 3))
            throw kw.Unsupported("output_blocks", "block indices are 0..3 (upstream asserts the last is at most 3).");

        using var net = new FidInceptionV3(InceptionConfig.Official); // upstream resizes to 299 and hard-codes the widths
        var shapes = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);
        using (var weights = await FormulaWeights.CombineAsync(parityCase, shapes, cancellationToken))
        using (var source = await SafeTensorsSource.OpenAsync(weights.IndexPath, cancellationToken))
            await InceptionFeatureExtractor.LoadWeightsAsync(net, source, cancellationToken);

        net.eval();
        using var _ = torch.no_grad();
        using var prepared = net.Prepare(parityCase.Input("image"), kw.Bool("resize_input", true), kw.Bool("normalize_input", true));
        var outputs = net.ForwardBlocks(prepared, blocks);
        return blocks.Zip(outputs).ToDictionary(p => $"out.block{p.First}", p => p.Second);
    }
}
