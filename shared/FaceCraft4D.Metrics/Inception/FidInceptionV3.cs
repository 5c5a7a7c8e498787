using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Inception;

/// <summary>
/// The FID Inception-v3 of pytorch-fid (<c>fid_inception_v3</c>, weights <c>pt_inception-2015-12-05</c>, the TF FID
/// graph ported to PyTorch) up to the 2048-D pool3 features, with torchvision's module names:
/// <c>Conv2d_1a_3x3</c>, <c>Conv2d_2a_3x3</c>, <c>Conv2d_2b_3x3</c>, (max pool), <c>Conv2d_3b_1x1</c>,
/// <c>Conv2d_4a_3x3</c>, (max pool), <c>Mixed_5b..5d</c>, <c>Mixed_6a..6e</c>, <c>Mixed_7a..7c</c>, adaptive average pool.
/// Input: images in [0, 1] → bilinear resize to 299 (align_corners = false) → 2x − 1.
/// The classifier (<c>fc</c>, 1008 classes) is not needed for pool3 and is ignored on load.
/// </summary>
public sealed class FidInceptionV3 : nn.Module<Tensor, Tensor>
{
    private readonly BasicConv2d Conv2d_1a_3x3, Conv2d_2a_3x3, Conv2d_2b_3x3, Conv2d_3b_1x1, Conv2d_4a_3x3;
    private readonly InceptionA Mixed_5b, Mixed_5c, Mixed_5d;
    private readonly InceptionB Mixed_6a;
    private readonly InceptionC Mixed_6b, Mixed_6c, Mixed_6d, Mixed_6e;
    private readonly InceptionD Mixed_7a;
    private readonly InceptionE Mixed_7b, Mixed_7c;

    public InceptionConfig Config { get; }

    public FidInceptionV3(InceptionConfig config) : base("FIDInceptionV3")
    {
        config.Validate();
        Config = config;
        var c = config;
        Conv2d_1a_3x3 = new BasicConv2d(3, c.W(32), 3, stride: 2);
        Conv2d_2a_3x3 = new BasicConv2d(c.W(32), c.W(32), 3);
        Conv2d_2b_3x3 = new BasicConv2d(c.W(32), c.W(64), 3, padding: 1);
        Conv2d_3b_1x1 = new BasicConv2d(c.W(64), c.W(80), 1);
        Conv2d_4a_3x3 = new BasicConv2d(c.W(80), c.W(192), 3);
        Mixed_5b = new InceptionA(c, c.W(192), 32);
        Mixed_5c = new InceptionA(c, Mixed_5b.OutChannels, 64);
        Mixed_5d = new InceptionA(c, Mixed_5c.OutChannels, 64);
        Mixed_6a = new InceptionB(c, Mixed_5d.OutChannels);
        Mixed_6b = new InceptionC(c, Mixed_6a.OutChannels, 128);
        Mixed_6c = new InceptionC(c, Mixed_6b.OutChannels, 160);
        Mixed_6d = new InceptionC(c, Mixed_6c.OutChannels, 160);
        Mixed_6e = new InceptionC(c, Mixed_6d.OutChannels, 192);
        Mixed_7a = new InceptionD(c, Mixed_6e.OutChannels);
        Mixed_7b = new InceptionE(c, Mixed_7a.OutChannels, BranchPool.AverageExcludingPadding);
        Mixed_7c = new InceptionE(c, Mixed_7b.OutChannels, BranchPool.Max);
        RegisterComponents();
    }

    /// <summary>images [N, 3, H, W] in [0, 1] → pool3 features [N, FeatureSize].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var pool3 = ForwardBlocks(Prepare(images), [3])[0];                        // [N, FeatureSize, 1, 1]
        return pool3.flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// pytorch-fid's input handling: images [N, 3, H, W] in [0, 1] → bilinear resize to <see cref="InceptionConfig.InputSize"/>²
    /// (align_corners = false; skipped when already that size, where it is an identity) when <paramref name="resize"/>,
    /// then 2x − 1 when <paramref name="normalize"/>. Float32. Caller disposes.
    /// </summary>
    public Tensor Prepare(Tensor images, bool resize = true, bool normalize = true)
    {
        using var scope = torch.NewDisposeScope();
        var s = Config.InputSize;
        var x = images.to(ScalarType.Float32);
        if (resize && (x.shape[2] != s || x.shape[3] != s))
            x = nn.functional.interpolate(x, size: new long[] { s, s }, mode: InterpolationMode.Bilinear, align_corners: false);
        if (normalize) x = x.Times(2).Minus(1);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// pytorch-fid <c>InceptionV3</c> feature blocks of a prepared input, those in <paramref name="outputBlocks"/> in
    /// ascending order: 0 = first max pool [N, 64, ·, ·], 1 = second max pool [N, 192, ·, ·], 2 = Mixed_6e [N, 768, ·, ·]
    /// (the aux-classifier input), 3 = average-pooled Mixed_7c [N, FeatureSize, 1, 1] (pool3). Caller disposes.
    /// </summary>
    public IReadOnlyList<Tensor> ForwardBlocks(Tensor prepared, IReadOnlyCollection<int> outputBlocks)
    {
        if (outputBlocks.Count == 0 || outputBlocks.Any(b => b is < 0 or > 3))
            throw new ArgumentException($"Inception output blocks must be 0..3 (got [{string.Join(", ", outputBlocks)}]).", nameof(outputBlocks));
        using var scope = torch.NewDisposeScope();
        var outputs = new List<Tensor>();
        var x = prepared;
        for (int block = 0; block <= outputBlocks.Max(); block++)
        {
            x = Block(block, x);
            if (outputBlocks.Contains(block)) outputs.Add(x);
        }
        foreach (var o in outputs) o.MoveToOuterDisposeScope();
        return outputs;
    }

    private Tensor Block(int index, Tensor x) => index switch
    {
        0 => InceptionPooling.MaxPool3x3Stride2(Conv2d_2b_3x3.forward(Conv2d_2a_3x3.forward(Conv2d_1a_3x3.forward(x)))),
        1 => InceptionPooling.MaxPool3x3Stride2(Conv2d_4a_3x3.forward(Conv2d_3b_1x1.forward(x))),
        2 => Mixed_6e.forward(Mixed_6d.forward(Mixed_6c.forward(Mixed_6b.forward(
                 Mixed_6a.forward(Mixed_5d.forward(Mixed_5c.forward(Mixed_5b.forward(x)))))))),
        3 => nn.functional.adaptive_avg_pool2d(Mixed_7c.forward(Mixed_7b.forward(Mixed_7a.forward(x))), new long[] { 1, 1 }),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };
}
