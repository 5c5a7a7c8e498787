using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Inception;

/// <summary>The pooling of a block's <c>branch_pool</c> in the FID variants of pytorch-fid.</summary>
public enum BranchPool
{
    /// <summary>3×3 average, stride 1, padding 1, padded cells not counted (FIDInceptionA/C/E_1).</summary>
    AverageExcludingPadding,

    /// <summary>3×3 max, stride 1, padding 1 (FIDInceptionE_2, i.e. Mixed_7c).</summary>
    Max,
}

/// <summary>Shared helpers of the Inception blocks.</summary>
internal static class InceptionPooling
{
    public static Tensor Pool3x3(Tensor x, BranchPool pool) => pool == BranchPool.Max
        ? nn.functional.max_pool2d(x, new long[] { 3, 3 }, new long[] { 1, 1 }, new long[] { 1, 1 })
        : nn.functional.avg_pool2d(x, new long[] { 3, 3 }, new long[] { 1, 1 }, new long[] { 1, 1 }, count_include_pad: false);

    public static Tensor MaxPool3x3Stride2(Tensor x) => nn.functional.max_pool2d(x, new long[] { 3, 3 }, new long[] { 2, 2 });
}

/// <summary>Mixed_5b/5c/5d (torchvision InceptionA; FIDInceptionA pooling).</summary>
public sealed class InceptionA : nn.Module<Tensor, Tensor>
{
    private readonly BasicConv2d branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branch_pool;

    public InceptionA(InceptionConfig c, int inChannels, int poolFeatures) : base("InceptionA")
    {
        branch1x1 = new BasicConv2d(inChannels, c.W(64), 1);
        branch5x5_1 = new BasicConv2d(inChannels, c.W(48), 1);
        branch5x5_2 = new BasicConv2d(c.W(48), c.W(64), 5, padding: 2);
        branch3x3dbl_1 = new BasicConv2d(inChannels, c.W(64), 1);
        branch3x3dbl_2 = new BasicConv2d(c.W(64), c.W(96), 3, padding: 1);
        branch3x3dbl_3 = new BasicConv2d(c.W(96), c.W(96), 3, padding: 1);
        branch_pool = new BasicConv2d(inChannels, c.W(poolFeatures), 1);
        OutChannels = c.W(64) + c.W(64) + c.W(96) + c.W(poolFeatures);
        RegisterComponents();
    }

    public int OutChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var b1 = branch1x1.forward(x);
        var b5 = branch5x5_2.forward(branch5x5_1.forward(x));
        var b3 = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        var bp = branch_pool.forward(InceptionPooling.Pool3x3(x, BranchPool.AverageExcludingPadding));
        return torch.cat([b1, b5, b3, bp], 1).MoveToOuterDisposeScope();
    }
}

/// <summary>Mixed_6a (torchvision InceptionB): grid reduction 35 → 17.</summary>
public sealed class InceptionB : nn.Module<Tensor, Tensor>
{
    private readonly BasicConv2d branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3;

    public InceptionB(InceptionConfig c, int inChannels) : base("InceptionB")
    {
        branch3x3 = new BasicConv2d(inChannels, c.W(384), 3, stride: 2);
        branch3x3dbl_1 = new BasicConv2d(inChannels, c.W(64), 1);
        branch3x3dbl_2 = new BasicConv2d(c.W(64), c.W(96), 3, padding: 1);
        branch3x3dbl_3 = new BasicConv2d(c.W(96), c.W(96), 3, stride: 2);
        OutChannels = c.W(384) + c.W(96) + inChannels;
        RegisterComponents();
    }

    public int OutChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var b3 = branch3x3.forward(x);
        var bd = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        var bp = InceptionPooling.MaxPool3x3Stride2(x);
        return torch.cat([b3, bd, bp], 1).MoveToOuterDisposeScope();
    }
}

/// <summary>Mixed_6b..6e (torchvision InceptionC with factorised 7×7; FIDInceptionC pooling).</summary>
public sealed class InceptionC : nn.Module<Tensor, Tensor>
{
    private readonly BasicConv2d branch1x1, branch7x7_1, branch7x7_2, branch7x7_3,
        branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5, branch_pool;

    public InceptionC(InceptionConfig c, int inChannels, int channels7x7) : base("InceptionC")
    {
        int c7 = c.W(channels7x7);
        branch1x1 = new BasicConv2d(inChannels, c.W(192), 1);
        branch7x7_1 = new BasicConv2d(inChannels, c7, 1);
        branch7x7_2 = new BasicConv2d(c7, c7, (1, 7), padding: (0, 3));
        branch7x7_3 = new BasicConv2d(c7, c.W(192), (7, 1), padding: (3, 0));
        branch7x7dbl_1 = new BasicConv2d(inChannels, c7, 1);
        branch7x7dbl_2 = new BasicConv2d(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_3 = new BasicConv2d(c7, c7, (1, 7), padding: (0, 3));
        branch7x7dbl_4 = new BasicConv2d(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_5 = new BasicConv2d(c7, c.W(192), (1, 7), padding: (0, 3));
        branch_pool = new BasicConv2d(inChannels, c.W(192), 1);
        OutChannels = 4 * c.W(192);
        RegisterComponents();
    }

    public int OutChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var b1 = branch1x1.forward(x);
        var b7 = branch7x7_3.forward(branch7x7_2.forward(branch7x7_1.forward(x)));
        var bd = branch7x7dbl_5.forward(branch7x7dbl_4.forward(branch7x7dbl_3.forward(branch7x7dbl_2.forward(branch7x7dbl_1.forward(x)))));
        var bp = branch_pool.forward(InceptionPooling.Pool3x3(x, BranchPool.AverageExcludingPadding));
        return torch.cat([b1, b7, bd, bp], 1).MoveToOuterDisposeScope();
    }
}

/// <summary>Mixed_7a (torchvision InceptionD): grid reduction 17 → 8.</summary>
public sealed class InceptionD : nn.Module<Tensor, Tensor>
{
    private readonly BasicConv2d branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4;

    public InceptionD(InceptionConfig c, int inChannels) : base("InceptionD")
    {
        branch3x3_1 = new BasicConv2d(inChannels, c.W(192), 1);
        branch3x3_2 = new BasicConv2d(c.W(192), c.W(320), 3, stride: 2);
        branch7x7x3_1 = new BasicConv2d(inChannels, c.W(192), 1);
        branch7x7x3_2 = new BasicConv2d(c.W(192), c.W(192), (1, 7), padding: (0, 3));
        branch7x7x3_3 = new BasicConv2d(c.W(192), c.W(192), (7, 1), padding: (3, 0));
        branch7x7x3_4 = new BasicConv2d(c.W(192), c.W(192), 3, stride: 2);
        OutChannels = c.W(320) + c.W(192) + inChannels;
        RegisterComponents();
    }

    public int OutChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var b3 = branch3x3_2.forward(branch3x3_1.forward(x));
        var b7 = branch7x7x3_4.forward(branch7x7x3_3.forward(branch7x7x3_2.forward(branch7x7x3_1.forward(x))));
        var bp = InceptionPooling.MaxPool3x3Stride2(x);
        return torch.cat([b3, b7, bp], 1).MoveToOuterDisposeScope();
    }
}

/// <summary>Mixed_7b / Mixed_7c (torchvision InceptionE with expanded 3×3 branches; FIDInceptionE_1 / _2 pooling).</summary>
public sealed class InceptionE : nn.Module<Tensor, Tensor>
{
    private readonly BasicConv2d branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b,
        branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branch_pool;
    private readonly BranchPool pool;

    public InceptionE(InceptionConfig c, int inChannels, BranchPool pool) : base("InceptionE")
    {
        this.pool = pool;
        branch1x1 = new BasicConv2d(inChannels, c.W(320), 1);
        branch3x3_1 = new BasicConv2d(inChannels, c.W(384), 1);
        branch3x3_2a = new BasicConv2d(c.W(384), c.W(384), (1, 3), padding: (0, 1));
        branch3x3_2b = new BasicConv2d(c.W(384), c.W(384), (3, 1), padding: (1, 0));
        branch3x3dbl_1 = new BasicConv2d(inChannels, c.W(448), 1);
        branch3x3dbl_2 = new BasicConv2d(c.W(448), c.W(384), 3, padding: 1);
        branch3x3dbl_3a = new BasicConv2d(c.W(384), c.W(384), (1, 3), padding: (0, 1));
        branch3x3dbl_3b = new BasicConv2d(c.W(384), c.W(384), (3, 1), padding: (1, 0));
        branch_pool = new BasicConv2d(inChannels, c.W(192), 1);
        OutChannels = c.W(320) + 4 * c.W(384) + c.W(192);
        RegisterComponents();
    }

    public int OutChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var b1 = branch1x1.forward(x);
        var s = branch3x3_1.forward(x);
        var b3 = torch.cat([branch3x3_2a.forward(s), branch3x3_2b.forward(s)], 1);
        var d = branch3x3dbl_2.forward(branch3x3dbl_1.forward(x));
        var bd = torch.cat([branch3x3dbl_3a.forward(d), branch3x3dbl_3b.forward(d)], 1);
        var bp = branch_pool.forward(InceptionPooling.Pool3x3(x, pool));
        return torch.cat([b1, b3, bd, bp], 1).MoveToOuterDisposeScope();
    }
}
