using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Clip;

/// <summary>
/// HF <c>CLIPVisionModelWithProjection</c> (the image half of <c>CLIPModel</c>): <c>vision_model.*</c> and
/// <c>visual_projection.weight</c> [P, D] (no bias). Output: image embeddings [N, P] (not normalised).
/// </summary>
public sealed class ClipVisionModelWithProjection : nn.Module<Tensor, Tensor>
{
    private readonly ClipVisionTransformer vision_model;
    private readonly Linear visual_projection;

    public ClipVisionConfig Config { get; }

    public ClipVisionModelWithProjection(ClipVisionConfig config) : base("CLIPVisionModelWithProjection")
    {
        config.Validate();
        Config = config;
        vision_model = new ClipVisionTransformer(config);
        visual_projection = nn.Linear(config.HiddenSize, config.ProjectionDim, hasBias: false);
        RegisterComponents();
    }

    /// <summary>pixels [N, 3, S, S] CLIP-normalised (see <see cref="ClipImagePreprocessor"/>) → embeddings [N, P].</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        return visual_projection.forward(vision_model.forward(pixels)).MoveToOuterDisposeScope();
    }
}
