using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Tests;

/// <summary>
/// The held replacements of TorchSharp modules and activations that make unheld Scalars: softplus, mish, PReLU and
/// BatchNorm in inference give TorchSharp's values (the references use the banned APIs on one thread, on purpose).
/// </summary>
public sealed class HeldActivationTests
{
    private static Tensor Input()
    {
        using var g = new Generator(5);
        return torch.cat([torch.randn([200], generator: g).Times(6), torch.tensor(new[] { -80f, -20f, 0f, 19.99f, 20f, 20.01f, 80f })]);
    }

#pragma warning disable RS0030 // the TorchSharp references
    [Fact]
    public void Softplus_and_mish_equal_TorchSharp_and_stay_finite_in_the_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var x = Input().requires_grad_(true);
        var softplus = x.Softplus();
        var mish = x.Mish();
        Assert.True(softplus.allclose(nn.functional.softplus(x), rtol: 1e-6, atol: 1e-6), "softplus differs");
        Assert.True(mish.allclose(nn.functional.mish(x), rtol: 1e-6, atol: 1e-6), "mish differs");
        (softplus.sum() + mish.sum()).backward();
        Assert.True(x.grad!.isfinite().all().item<bool>(), "an infinite or NaN gradient");
    }

    [Fact]
    public void HeldPReLU_loads_the_same_weight_name_and_equals_nn_PReLU()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(8);
        var x = torch.randn([2, 4, 3, 3], generator: g);
        var slopes = torch.tensor(new[] { 0.1f, -0.3f, 0.25f, 2f });
        using var held = new HeldPReLU(4);
        using var reference = nn.PReLU(4, 0.25);
        Assert.Equal(reference.state_dict().Keys.Order(), held.state_dict().Keys.Order());
        Assert.True(held.state_dict()["weight"].eq(0.25).all().item<bool>(), "the initial slope is not 0.25");
        using (torch.no_grad())
        {
            held.state_dict()["weight"].copy_(slopes);
            reference.state_dict()["weight"].copy_(slopes);
        }
        Assert.True(held.forward(x).eq(reference.forward(x)).all().item<bool>(), "PReLU differs");
    }
#pragma warning restore RS0030

    [Fact]
    public void BatchNorm_inference_refuses_training_mode_and_uses_the_running_statistics()
    {
        using var scope = torch.NewDisposeScope();
        using var norm = nn.BatchNorm2d(3);
        var x = torch.ones([1, 3, 2, 2]).Times(4);
        Assert.Throws<InvalidOperationException>(() => norm.InferenceForward(x));
        norm.eval();
        using (torch.no_grad()) norm.state_dict()["running_mean"].FilledWith(1.0);
        var y = norm.InferenceForward(x);
        Assert.True(y.allclose(torch.ones_like(x).Times(3 / Math.Sqrt(1 + 1e-5))), "not (x - mean) / sqrt(var + eps)");
    }
}
