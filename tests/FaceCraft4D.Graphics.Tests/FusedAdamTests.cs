using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Weights;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// The fused Adam pass (<see cref="FusedAdamKernel"/>, <see cref="AdamOptimizer.Fused"/>) against the op-by-op path and a
/// float64 evaluation of the Adam formulas: parameters and moments over several steps, gradients zeroed in the same pass,
/// and the checkpoint state of both paths interchangeable.
/// </summary>
public sealed class FusedAdamTests
{
    // Sizes around the SIMD width (a remainder loop on every machine: 4, 8 or 16 lanes) and a 3D SH-like tensor.
    private static readonly long[][] Shapes = [[37, 3], [5], [19, 15, 3], [1, 1]];

    private static (AdamOptimizer Adam, Tensor[] Parameters) Make(bool fused)
    {
        var g = new torch.Generator(41);
        var adam = new AdamOptimizer { Fused = fused };
        var ps = Shapes.Select((s, i) =>
        {
            var p = torch.randn(s, generator: g).requires_grad_(true);
            adam.Add($"p{i}", p, 1e-3 * (i + 1));
            return p;
        }).ToArray();
        return (adam, ps);
    }

    /// <summary>Accumulates the gradients of step t (the same for both optimizers; row 1 zero, as for unseen Gaussians).</summary>
    private static void Backward(Tensor[] ps, int step)
    {
        var g = new torch.Generator(100 + (ulong)step);
        for (int i = 0; i < ps.Length; i++)
        {
            var grad = torch.randn(ps[i].shape, generator: g).Times(Math.Pow(10, -i));
            if (ps[i].shape[0] > 2) grad[1].zero_();
            (ps[i] * grad).sum().backward();
        }
    }

    private static double MaxRelative(Tensor a, Tensor b) =>
        ((a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).abs() / (b.to_type(ScalarType.Float64).abs().Plus(1e-3))).max().item<double>();

    [Fact]
    public void Fused_steps_equal_the_op_by_op_path_and_the_float64_formulas()
    {
        using var scope = torch.NewDisposeScope();
        var (fusedAdam, fp) = Make(fused: true);
        var (plainAdam, pp) = Make(fused: false);
        using var f = fusedAdam;
        using var o = plainAdam;
        // Float64 reference of p, m, v.
        var rp = pp.Select(p => p.detach().to_type(ScalarType.Float64)).ToArray();
        var rm = rp.Select(t => torch.zeros_like(t)).ToArray();
        var rv = rp.Select(t => torch.zeros_like(t)).ToArray();
        for (int t = 1; t <= 6; t++)
        {
            Backward(fp, t);
            Backward(pp, t);
            for (int i = 0; i < pp.Length; i++)
            {
                var g = pp[i].grad!.to_type(ScalarType.Float64);
                double lr = 1e-3 * (i + 1);
                rm[i] = rm[i].Times(0.9).Plus(g.Times(0.1));
                rv[i] = rv[i].Times(0.999).Plus((g * g).Times(0.001));
                rp[i] = rp[i] - rm[i].Times(lr / (1 - Math.Pow(0.9, t))) / (rv[i].DividedBy(1 - Math.Pow(0.999, t)).sqrt().Plus(1e-15));
            }
            f.Step(zeroGradients: true);
            o.Step();
            o.ZeroGrad();
            foreach (var p in fp) Assert.Equal(0.0, p.grad!.abs().max().item<float>());
        }
        var fileF = new InMemorySafeTensors();
        var fileO = new InMemorySafeTensors();
        f.WriteTo(fileF);
        o.WriteTo(fileO);
        for (int i = 0; i < pp.Length; i++)
        {
            Assert.Equal(6, f.StepCount($"p{i}"));
            Assert.True(MaxRelative(fp[i], pp[i]) < 1e-5, $"p{i} fused vs op-by-op: {MaxRelative(fp[i], pp[i])}");
            Assert.True(MaxRelative(fp[i], rp[i]) < 1e-5, $"p{i} fused vs float64: {MaxRelative(fp[i], rp[i])}");
            foreach (var moment in new[] { "m", "v" })
            {
                var a = fileF.GetTorch($"adam.p{i}.{moment}", torch.CPU, ScalarType.Float32);
                var b = fileO.GetTorch($"adam.p{i}.{moment}", torch.CPU, ScalarType.Float32);
                Assert.True(MaxRelative(a, b) < 1e-5, $"p{i}.{moment}");
            }
            Assert.Equal(fileO.Metadata[$"adam.p{i}.step"], fileF.Metadata[$"adam.p{i}.step"]);
        }

        // The fused optimizer resumes from the op-by-op one's checkpoint and takes the same next step.
        f.ReadFrom(fileO);
        using (torch.no_grad())
            for (int i = 0; i < pp.Length; i++) fp[i].copy_(pp[i]);
        Backward(fp, 7);
        Backward(pp, 7);
        f.Step(zeroGradients: true);
        o.Step(zeroGradients: true);
        for (int i = 0; i < pp.Length; i++)
        {
            Assert.True(MaxRelative(fp[i], pp[i]) < 1e-6, $"p{i} after resume");
            Assert.Equal(0.0, pp[i].grad!.abs().max().item<float>());
        }
    }

    [Fact]
    public void Non_contiguous_and_float64_parameters_take_the_op_by_op_path()
    {
        using var scope = torch.NewDisposeScope();
        var p64 = torch.ones([4, 3], ScalarType.Float64).requires_grad_(true);
        var p32 = torch.ones([4, 3]).requires_grad_(true);
        Assert.False(FusedAdamKernel.Applies(p64, p64, p64, p64));
        Assert.False(FusedAdamKernel.Applies(p32, p32.t(), p32, p32));
        Assert.True(FusedAdamKernel.Applies(p32, p32, p32, p32));
        using var adam = new AdamOptimizer();
        adam.Add("x", p64, 0.1);
        p64.Times(2).sum().backward();
        adam.Step(zeroGradients: true);
        // First Adam step moves every element by -lr sign(g).
        Assert.True(p64.Minus(0.9).abs().max().item<double>() < 1e-9);
        Assert.Equal(0.0, p64.grad!.abs().max().item<double>());
    }
}
