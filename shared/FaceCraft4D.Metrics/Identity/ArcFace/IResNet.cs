using FaceCraft4D.Metrics.Models;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Identity.ArcFace;

/// <summary>
/// insightface <c>arcface_torch</c> IResNet backbone with its state names: <c>conv1</c> (3×3, 3→64), <c>bn1</c>,
/// <c>prelu</c>, <c>layer1..4.{i}</c> (<see cref="IResNetBlock"/>, first block of each stage stride 2),
/// <c>bn2</c>, flatten, (dropout), <c>fc</c> (width₄·7·7 → 512, with bias), <c>features</c> (BatchNorm1d).
/// Input: aligned 112 × 112 RGB, (v/255 − 0.5)/0.5. Output: the 512-D embedding (not normalised).
/// </summary>
public sealed class IResNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly FrozenBatchNorm bn1, bn2, features;
    private readonly HeldPReLU prelu;
    private readonly Sequential layer1, layer2, layer3, layer4;
    private readonly Linear fc;

    public ArcFaceConfig Config { get; }

    public IResNet(ArcFaceConfig config) : base("IResNet")
    {
        config.Validate();
        Config = config;
        var w = config.Widths;
        conv1 = nn.Conv2d(3, w[0], 3, padding: 1, bias: false);
        bn1 = new FrozenBatchNorm(w[0], 1e-5);
        prelu = new HeldPReLU(w[0], 0.25);
        int inC = w[0];
        Sequential Stage(int k)
        {
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int i = 0; i < config.Layers[k]; i++)
            {
                blocks.Add((i.ToString(), new IResNetBlock(inC, w[k], i == 0 ? 2 : 1)));
                inC = w[k];
            }
            return nn.Sequential(blocks);
        }
        layer1 = Stage(0);
        layer2 = Stage(1);
        layer3 = Stage(2);
        layer4 = Stage(3);
        bn2 = new FrozenBatchNorm(w[3], 1e-5);
        int side = config.InputSize;
        for (int k = 0; k < 4; k++) side = (side + 1) / 2;
        fc = nn.Linear(w[3] * side * side, config.EmbeddingSize);
        features = new FrozenBatchNorm(config.EmbeddingSize, 1e-5);
        RegisterComponents();
    }

    /// <summary>x [N, 3, 112, 112] normalised → embeddings [N, 512].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = prelu.forward(bn1.forward(conv1.forward(x)));
        h = layer4.forward(layer3.forward(layer2.forward(layer1.forward(h))));
        h = bn2.forward(h).flatten(1);
        return features.forward(fc.forward(h)).MoveToOuterDisposeScope();
    }
}
