using FaceCraft4D.Metrics.Clip;
using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.Clip;

/// <summary>
/// openai/CLIP <c>VisionTransformer(input_resolution, patch_size, width, layers, heads, output_dim)(image) → embedding</c>
/// through <see cref="ClipVisionModelWithProjection"/>, loaded by the production
/// <see cref="ClipImageEncoder.LoadAsync(SafeTensorsSource, ClipVisionHints, string, Device, CancellationToken)"/> from the
/// bare <c>VisionTransformer</c> state dict (<see cref="ClipNaming.OpenAiVisual"/>); <c>heads</c> is the only kwarg the
/// shapes do not carry, and the config inferred from the shapes must match the rest. The image is already
/// CLIP-normalised, so the model runs without <see cref="ClipImagePreprocessor"/>.
/// </summary>
public sealed class ClipVisionTransformerParityModule : IParityModule
{
    public string Module => "clip.vision_transformer";

    public async Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken)
    {
        var kw = new UpstreamKwargs(parityCase.Config, parityCase.Id);
        kw.RejectUnknown("input_resolution", "patch_size", "width", "layers", "heads", "output_dim");
        int resolution = kw.Int("input_resolution"), patch = kw.Int("patch_size"), width = kw.Int("width"),
            layers = kw.Int("layers"), heads = kw.Int("heads"), outputDim = kw.Int("output_dim");

        using var source = await SafeTensorsSource.OpenAsync(parityCase.WeightsPath, cancellationToken);
        using var encoder = await ClipImageEncoder.LoadAsync(source, new ClipVisionHints(heads), "parity", CPU, cancellationToken);
        var c = encoder.Model.Config;
        // Upstream: grid = input_resolution // patch_size, MLP width = 4·width, QuickGELU, LayerNorm ε 1e-5.
        var expected = new ClipVisionConfig(width, 4 * width, layers, heads, resolution / patch * patch, patch, outputDim);
        if (c != expected)
            throw new InvalidDataException($"{parityCase.Id}: the loader read {c} from the weights, the config says {expected}.");

        using var _ = torch.no_grad();
        var embedding = encoder.Model.forward(parityCase.Input("image")); // [B, 3, R, R] → [B, output_dim]
        return new Dictionary<string, Tensor> { ["out.embedding"] = embedding };
    }
}
