using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Tests;

/// <summary>
/// <see cref="HeldAdam"/> makes the same libtorch calls as TorchSharp's Adam, so the parameters match bit for bit, through
/// learning-rate changes and with a parameter that gets no gradient; and it converges on a known minimum.
/// </summary>
public sealed class HeldAdamTests
{
    private static (Parameter a, Parameter b, Parameter idle) Parameters()
    {
        using var g = new Generator(31);
        return (new Parameter(torch.randn([5, 3], generator: g)), new Parameter(torch.randn([7], generator: g)),
            new Parameter(torch.randn([2], generator: g)));
    }

    private static Tensor Loss(Tensor a, Tensor b)
    {
        using var target = torch.linspace(-1, 1, 15).reshape(5, 3);
        return (a - target).Power(2).sum().Plus(b.Power(4).sum().Times(0.5)).Plus((a.sum() * b.sum()).Times(0.1));
    }

    private static bool Same(Tensor x, Tensor y) => x.shape.SequenceEqual(y.shape) && x.eq(y).all().item<bool>();

    [Fact]
    public void Matches_TorchSharp_Adam_bit_for_bit_through_learning_rate_changes()
    {
        using var scope = torch.NewDisposeScope();
        var (a1, b1, idle1) = Parameters();
        var (a2, b2, idle2) = Parameters();
        using var held = new HeldAdam([a1, b1, idle1], 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-6);
        // The reference: TorchSharp's own Adam (banned in product code for its unheld Scalars; one thread here).
#pragma warning disable RS0030
        using var reference = torch.optim.Adam([a2, b2, idle2], 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6);
        for (int step = 0; step < 40; step++)
        {
            using var round = torch.NewDisposeScope();
            var lr = 0.05 * Math.Pow(0.93, step);
            held.LearningRate = lr;
            foreach (var group in reference.ParamGroups) group.LearningRate = lr;
            held.ZeroGrad();
            Loss(a1, b1).backward();
            held.Step();
            reference.zero_grad();
            Loss(a2, b2).backward();
            reference.step();
        }
#pragma warning restore RS0030
        Assert.True(Same(a1, a2), "a differs from torch.optim.Adam");
        Assert.True(Same(b1, b2), "b differs from torch.optim.Adam");
        Assert.True(Same(idle1, idle2), "the parameter without a gradient moved");
        Assert.False(Same(a1, Parameters().a), "the parameters never moved");
    }

    [Fact]
    public void Converges_to_the_minimum_of_a_quadratic()
    {
        using var scope = torch.NewDisposeScope();
        var x = new Parameter(torch.zeros(3));
        using var target = torch.tensor(new[] { 1.5f, -2f, 0.25f });
        using var adam = new HeldAdam([x], 0.1);
        for (int step = 0; step < 500; step++)
        {
            using var round = torch.NewDisposeScope();
            adam.ZeroGrad();
            (x - target).Power(2).sum().backward();
            adam.Step();
        }
        Assert.True((x - target).abs().max().item<float>() < 1e-3, $"x = {string.Join(", ", x.data<float>().ToArray())}");
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        var x = new Parameter(torch.zeros(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeldAdam([x], -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeldAdam([x], 0.1, beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeldAdam([x], 0.1, beta2: -0.5));
    }
}
