using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Diffusion;

public class UNetForwardTests
{
    [Fact]
    public void TinySdUnet_ForwardHasLatentShape_AndSameSeedGivesIdenticalOutput()
    {
        using var a = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 7);
        using var b = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 7);
        using var c = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 8);
        using var g = new Generator(3, CPU);
        using var x = torch.randn([3, 4, 8, 8], generator: g);
        using var ctx = torch.randn([3, 7, 16], generator: g);
        using var t = torch.tensor(new float[] { 1, 361, 961 });
        using var _ = torch.inference_mode();
        using var ya = a.Forward(x, t, ctx);
        using var yb = b.Forward(x, t, ctx);
        using var yc = c.Forward(x, t, ctx);
        TensorAssert.Shape(ya, 3, 4, 8, 8);
        TensorAssert.Finite(ya);
        TensorAssert.Identical(ya, yb);
        Assert.True(TensorAssert.MaxAbsDiff(ya, yc) > 1e-3, "different seeds should give different outputs");
    }

    [Fact]
    public void TinySdUnet_OutputDependsOnTimestepAndText()
    {
        using var unet = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 7);
        using var g = new Generator(3, CPU);
        using var x = torch.randn([1, 4, 8, 8], generator: g);
        using var ctx1 = torch.randn([1, 7, 16], generator: g);
        using var ctx2 = torch.randn([1, 7, 16], generator: g);
        using var _ = torch.inference_mode();
        using var y1 = unet.Forward(x, torch.tensor(new float[] { 100 }), ctx1);
        using var y2 = unet.Forward(x, torch.tensor(new float[] { 900 }), ctx1);
        using var y3 = unet.Forward(x, torch.tensor(new float[] { 100 }), ctx2);
        Assert.True(TensorAssert.MaxAbsDiff(y1, y2) > 1e-4);
        Assert.True(TensorAssert.MaxAbsDiff(y1, y3) > 1e-4);
    }

    [Fact]
    public void TinySdUnet_BatchItemsAreIndependent()
    {
        using var unet = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 7);
        using var g = new Generator(4, CPU);
        using var x = torch.randn([2, 4, 8, 8], generator: g);
        using var ctx = torch.randn([2, 7, 16], generator: g);
        using var t = torch.tensor(new float[] { 200, 200 });
        using var _ = torch.inference_mode();
        using var both = unet.Forward(x, t, ctx);
        using var second = unet.Forward(x[1..2], t[1..2], ctx[1..2]);
        TensorAssert.Close(both[1..2], second, 1e-5);
    }

    [Fact]
    public void TinySdxlUnet_WithTextTimeConditioning_ForwardsAndUsesTimeIds()
    {
        var config = TinyModels.SdxlUnet();
        using var unet = TinyModels.CreateUnet(config, seed: 9);
        Assert.Contains("add_embedding.linear_1.weight", unet.state_dict().Keys);
        Assert.Equal(new long[] { 128, 60 }, unet.state_dict()["add_embedding.linear_1.weight"].shape);
        Assert.Equal(new long[] { 64, 64 }, unet.state_dict()["down_blocks.1.attentions.0.proj_in.weight"].shape);
        using var g = new Generator(5, CPU);
        using var x = torch.randn([2, 4, 8, 8], generator: g);
        using var ctx = torch.randn([2, 5, 24], generator: g);
        using var pooled = torch.randn([2, 12], generator: g);
        using var ids1 = torch.tensor(new float[] { 64, 64, 0, 0, 64, 64, 64, 64, 0, 0, 64, 64 }).reshape(2, 6);
        using var ids2 = torch.tensor(new float[] { 32, 32, 8, 8, 64, 64, 32, 32, 8, 8, 64, 64 }).reshape(2, 6);
        using var t = torch.tensor(new float[] { 500, 500 });
        using var _ = torch.inference_mode();
        using var y1 = unet.Forward(x, t, ctx, new SdxlAddedConditions(pooled, ids1));
        using var y2 = unet.Forward(x, t, ctx, new SdxlAddedConditions(pooled, ids2));
        TensorAssert.Shape(y1, 2, 4, 8, 8);
        TensorAssert.Finite(y1);
        Assert.True(TensorAssert.MaxAbsDiff(y1, y2) > 1e-5);
        Assert.Throws<ArgumentException>(() => unet.Forward(x, t, ctx));
    }

    [Fact]
    public void NonPowerOfTwoLatent_UpsamplesToSkipSizes()
    {
        using var unet = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 7);
        using var x = torch.randn([1, 4, 10, 6]);
        using var ctx = torch.randn([1, 7, 16]);
        using var _ = torch.inference_mode();
        using var y = unet.Forward(x, torch.tensor(new float[] { 10 }), ctx);
        TensorAssert.Shape(y, 1, 4, 10, 6);
    }

    [Fact]
    public void SinusoidalEncoding_MatchesDiffusersFormula()
    {
        using var t = torch.tensor(new float[] { 0, 1, 500 });
        using var e = SinusoidalTimestepEncoding.Encode(t, 8, flipSinToCos: true, freqShift: 0);
        TensorAssert.Shape(e, 3, 8);
        var v = e.data<float>().ToArray();
        // half = 4, freqs_i = exp(-ln(10000)·i/4); flip -> [cos(t f), sin(t f)]
        for (int row = 0; row < 3; row++)
        {
            double tt = new[] { 0.0, 1.0, 500.0 }[row];
            for (int i = 0; i < 4; i++)
            {
                double f = Math.Exp(-Math.Log(10000) * i / 4.0);
                Assert.Equal(Math.Cos(tt * f), v[row * 8 + i], 3);
                Assert.Equal(Math.Sin(tt * f), v[row * 8 + 4 + i], 3);
            }
        }
    }
}
