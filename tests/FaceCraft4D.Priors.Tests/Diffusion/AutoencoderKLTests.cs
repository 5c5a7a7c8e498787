using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Diffusion;

public class AutoencoderKLTests
{
    [Fact]
    public void TinyVae_EncodeDecodeShapes_AndDeterminism()
    {
        using var a = TinyModels.CreateVae(seed: 3);
        using var b = TinyModels.CreateVae(seed: 3);
        using var g = new Generator(8, CPU);
        using var image = torch.rand([2, 3, 16, 24], generator: g).Times(2).Minus(1);
        using var _ = torch.inference_mode();
        using var la = a.Encode(image);
        using var lb = b.Encode(image);
        TensorAssert.Shape(la, 2, 4, 8, 12);
        TensorAssert.Identical(la, lb);
        using var da = a.Decode(la);
        using var db = b.Decode(lb);
        TensorAssert.Shape(da, 2, 3, 16, 24);
        TensorAssert.Finite(da);
        TensorAssert.Identical(da, db);
    }

    [Fact]
    public void Encode_AppliesScalingFactorToThePosteriorMean()
    {
        using var vae = TinyModels.CreateVae(seed: 3);
        using var image = torch.rand([1, 3, 16, 16]).Times(2).Minus(1);
        using var _ = torch.inference_mode();
        using var scaled = vae.Encode(image);
        var config = vae.Config with { ScalingFactor = 1.0 };
        using var unit = new FaceCraft4D.Priors.Diffusion.AutoencoderKL(config);
        foreach (var (k, v) in vae.state_dict()) unit.state_dict()[k].copy_(v);
        unit.eval();
        using var raw = unit.Encode(image);
        TensorAssert.Close(raw.Times(0.18215), scaled, 1e-6);
    }
}
