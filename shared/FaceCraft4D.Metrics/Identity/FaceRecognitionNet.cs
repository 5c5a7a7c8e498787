using FaceCraft4D.Vision.Preprocessing.Tfjs;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Identity;

/// <summary>
/// TorchSharp port of face-api.js FaceRecognitionNet (the dlib face-recognition ResNet: 29 conv layers in
/// residual blocks, 128-D descriptor). Structure: conv32_down (7×7 stride 2 'valid', ReLU), 3×3/2 max pool,
/// conv32_1..3, conv64_down + conv64_1..3, conv128_down + conv128_1..2, conv256_down + conv256_1..2,
/// conv256_down_out, global average pool, fc (no bias). Loads the official tfjs weights of
/// <c>face_recognition_model</c> by their manifest names (<c>conv32_down/conv/filters</c>, ..., <c>fc</c>).
/// </summary>
public sealed class FaceRecognitionNet : nn.Module<Tensor, Tensor>
{
    private static readonly (string Name, int Stage, bool Down)[] Blocks =
    [
        ("conv32_1", 0, false), ("conv32_2", 0, false), ("conv32_3", 0, false),
        ("conv64_down", 1, true), ("conv64_1", 1, false), ("conv64_2", 1, false), ("conv64_3", 1, false),
        ("conv128_down", 2, true), ("conv128_1", 2, false), ("conv128_2", 2, false),
        ("conv256_down", 3, true), ("conv256_1", 3, false), ("conv256_2", 3, false),
        ("conv256_down_out", 3, true),
    ];

    private readonly ScaledConvLayer stem;
    private readonly ModuleList<ResidualBlock> blocks;
    private readonly Parameter fc; // [descriptor, C]

    public FaceRecognitionNetConfig Config { get; }

    public FaceRecognitionNet(FaceRecognitionNetConfig config) : base("FaceRecognitionNet")
    {
        config.Validate();
        Config = config;
        var ch = config.StageChannels;
        stem = new ScaledConvLayer("conv32_down", 3, ch[0], 7, 2, relu: true);
        blocks = new ModuleList<ResidualBlock>();
        int inC = ch[0];
        foreach (var (name, stage, down) in Blocks)
        {
            blocks.Add(new ResidualBlock(name, inC, ch[stage], down));
            inC = ch[stage];
        }
        fc = nn.Parameter(torch.randn(config.DescriptorSize, inC).Times(1.0 / Math.Sqrt(inC)));
        RegisterComponents();
    }

    /// <summary>
    /// x [N, 3, S, S] normalised ((v − mean) / 255, see <see cref="FaceRecognitionNetConfig.MeanRgb"/>), S = InputSize.
    /// Returns descriptors [N, DescriptorSize] (not normalised; face-api compares them by Euclidean distance).
    /// </summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = stem.forward(x);
        h = nn.functional.max_pool2d(h, new long[] { 3, 3 }, new long[] { 2, 2 });
        foreach (var b in blocks) h = b.forward(h);
        var pooled = h.mean(new long[] { 2, 3 });                     // [N, C]
        return nn.functional.linear(pooled, fc).MoveToOuterDisposeScope(); // [N, D]
    }

    /// <summary>Official tfjs weight names of every parameter.</summary>
    public IEnumerable<TfjsParameterBinding> Bindings()
    {
        foreach (var b in stem.Bindings("conv32_down")) yield return b;
        for (int i = 0; i < blocks.Count; i++)
            foreach (var b in blocks[i].Bindings(Blocks[i].Name)) yield return b;
        yield return new("fc", TfjsLayout.DenseWeights, fc);
    }

    public void LoadTfjsWeights(IReadOnlyDictionary<string, TfjsTensor> weights, string modelName = "face_recognition_model") =>
        TfjsWeightBinder.Bind(weights, Bindings(), modelName);
}
