using FaceCraft4D.Vision.Preprocessing.Tfjs;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Networks;

/// <summary>
/// TorchSharp port of face-api.js FaceLandmark68Net / FaceLandmark68TinyNet: dense blocks, average pool,
/// fully connected layer to 136 outputs (x0, y0, x1, y1, ... in units of the padded square input, 0..1).
/// Loads the official tfjs weights by their manifest names (dense{i}/conv{j}/..., fc/weights, fc/bias).
/// </summary>
public sealed class FaceLandmark68Net : nn.Module<Tensor, Tensor>
{
    public const int LandmarkCount = 68;
    private readonly ModuleList<DenseBlock> blocks;
    private readonly Parameter fcWeight; // [136, C]
    private readonly Parameter fcBias;   // [136]

    public FaceLandmark68NetConfig Config { get; }

    public FaceLandmark68Net(FaceLandmark68NetConfig config) : base("FaceLandmark68Net")
    {
        Config = config;
        blocks = new ModuleList<DenseBlock>();
        int inC = 3;
        for (int i = 0; i < config.BlockChannels.Length; i++)
        {
            blocks.Add(new DenseBlock($"dense{i}", inC, config.BlockChannels[i], config.ConvsPerBlock, isFirstBlock: i == 0));
            inC = config.BlockChannels[i];
        }
        fcWeight = nn.Parameter(torch.randn(2 * LandmarkCount, inC).Times(1.0 / Math.Sqrt(inC)));
        fcBias = nn.Parameter(HeldScalarOps.Hold(0.5f.ToScalar(), held => torch.full(2 * LandmarkCount, held)));
        RegisterComponents();
    }

    /// <summary>
    /// x [N, 3, S, S]: RGB already normalised ((v - mean) / 255), S = Config.InputSize.
    /// Returns [N, 136]: interleaved (x, y) positions relative to the square input (0..1).
    /// </summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = x;
        foreach (var b in blocks) h = b.forward(h);
        // tf.avgPool(out, [p, p], [2, 2], 'valid') then flatten; with p = feature side the map becomes 1x1.
        var pooled = nn.functional.avg_pool2d(h, new long[] { Config.PoolSize, Config.PoolSize }, new long[] { 2, 2 });
        // NHWC flatten order of tfjs == channel order when the pooled map is 1x1.
        var flat = pooled.permute(0, 2, 3, 1).reshape(pooled.shape[0], -1);
        return nn.functional.linear(flat, fcWeight, fcBias).MoveToOuterDisposeScope();
    }

    /// <summary>Official tfjs weight names of every parameter.</summary>
    public IEnumerable<TfjsParameterBinding> Bindings()
    {
        for (int i = 0; i < blocks.Count; i++)
            foreach (var b in blocks[i].Bindings($"dense{i}")) yield return b;
        yield return new("fc/weights", TfjsLayout.DenseWeights, fcWeight);
        yield return new("fc/bias", TfjsLayout.Identity, fcBias);
    }

    public void LoadTfjsWeights(IReadOnlyDictionary<string, TfjsTensor> weights, string modelName) =>
        TfjsWeightBinder.Bind(weights, Bindings(), modelName);
}
