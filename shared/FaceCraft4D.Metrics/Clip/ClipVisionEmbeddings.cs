using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Clip;

/// <summary>
/// HF <c>CLIPVisionEmbeddings</c>: <c>class_embedding</c> [D], <c>patch_embedding</c> (Conv2d 3→D, kernel = stride = patch,
/// no bias), <c>position_embedding</c> (Embedding [grid² + 1, D]). The <c>position_ids</c> buffer is not persistent.
/// </summary>
public sealed class ClipVisionEmbeddings : nn.Module<Tensor, Tensor>
{
    private readonly Parameter class_embedding;
    private readonly Conv2d patch_embedding;
    private readonly Embedding position_embedding;

    public ClipVisionEmbeddings(ClipVisionConfig config) : base("CLIPVisionEmbeddings")
    {
        class_embedding = nn.Parameter(torch.randn(config.HiddenSize));
        patch_embedding = nn.Conv2d(3, config.HiddenSize, config.PatchSize, stride: config.PatchSize, bias: false);
        position_embedding = nn.Embedding(config.NumPositions, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>pixels [N, 3, S, S] → tokens [N, grid² + 1, D] (class token first).</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        var patches = patch_embedding.forward(pixels).flatten(2).transpose(1, 2);           // [N, grid², D]
        var cls = class_embedding.reshape(1, 1, -1).expand(pixels.shape[0], 1, -1);          // [N, 1, D]
        var tokens = torch.cat([cls, patches], 1);
        return tokens.Plus(position_embedding.weight!.unsqueeze(0)).MoveToOuterDisposeScope();
    }
}
