using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Clip;

/// <summary>
/// HF <c>CLIPVisionTransformer</c> (<c>vision_model.*</c>): <c>embeddings</c>, <c>pre_layrnorm</c> (HF's spelling),
/// <c>encoder.layers.{i}</c>, <c>post_layernorm</c> applied to the class token (the pooled output).
/// </summary>
public sealed class ClipVisionTransformer : nn.Module<Tensor, Tensor>
{
    private readonly ClipVisionEmbeddings embeddings;
    private readonly LayerNorm pre_layrnorm, post_layernorm;
    private readonly ClipEncoder encoder;

    public ClipVisionTransformer(ClipVisionConfig config) : base("CLIPVisionTransformer")
    {
        embeddings = new ClipVisionEmbeddings(config);
        pre_layrnorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        encoder = new ClipEncoder(config);
        post_layernorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <summary>pixels [N, 3, S, S] (CLIP-normalised) → pooled output [N, D].</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        var h = encoder.forward(pre_layrnorm.forward(embeddings.forward(pixels)));
        return post_layernorm.forward(h.select(1, 0)).MoveToOuterDisposeScope();
    }

    /// <summary>HF <c>CLIPEncoder</c>: <c>layers</c>.</summary>
    private sealed class ClipEncoder : nn.Module<Tensor, Tensor>
    {
        private readonly ModuleList<ClipEncoderLayer> layers = new();

        public ClipEncoder(ClipVisionConfig config) : base("CLIPEncoder")
        {
            for (int i = 0; i < config.NumHiddenLayers; i++) layers.Add(new ClipEncoderLayer(config));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var h = x;
            foreach (var layer in layers) h = layer.forward(h);
            return h.MoveToOuterDisposeScope();
        }
    }
}
