using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

public sealed class DensityControlTests
{
    private static AdamOptimizer Register(GaussianParameters p)
    {
        var adam = new AdamOptimizer();
        foreach (var name in GaussianParameters.TrainableNames) adam.Add(name, p[name], 0.01);
        return adam;
    }

    [Fact]
    public void Clone_split_and_prune_follow_the_3DGS_rules_and_keep_optimizer_rows()
    {
        using var scope = torch.NewDisposeScope();
        var pos = torch.tensor(new float[] { 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0 }, new long[] { 4, 3 });
        var scales = torch.tensor(new float[] { 0.001f, 0.001f, 0.001f, 0.05f, 0.02f, 0.02f, 0.001f, 0.001f, 0.001f, 0.001f, 0.001f, 0.001f }, new long[] { 4, 3 });
        using var model = new FreeGaussianModel(GaussianParameters.Initial(pos, scales, HeldScalarOps.Hold(0.5f.ToScalar(), held => torch.full(new long[] { 4, 3 }, held)), 1, opacity: 0.5));
        using (torch.no_grad()) model.Parameters.OpacityLogits[3] = -8f; // transparent: pruned
        using var adam = Register(model.Parameters);
        using (torch.no_grad())
        {
            // Mark the moments of each row with its index + 1 to follow rows through the restructure.
            foreach (var name in GaussianParameters.TrainableNames)
            {
                model.Parameters[name].grad = torch.ones_like(model.Parameters[name]) * HeldScalarOps.Arange(1, 5, 1, ScalarType.Float32).view(new long[] { 4 }.Concat(Enumerable.Repeat(1L, (int)model.Parameters[name].ndim - 1)).ToArray());
            }
            adam.Step(); // the first Adam step moves every coordinate by -lr
        }
        var xBefore = model.Parameters.Positions.select(1, 0).data<float>().ToArray();
        var sBefore = model.Parameters.Scales().detach().data<float>().ToArray();
        using var controller = new DensityController(new DensificationOptions { GradientThreshold = 0.001, PercentDense = 0.01 });
        controller.SetStatistics(torch.tensor(new float[] { 0.01f, 0.01f, 0.0f, 0.0f }), torch.ones(4), torch.zeros(4));
        controller.DensifyAndPrune(model, adam, sceneExtent: 1.0, pruneLargeOnScreen: false, new torch.Generator(1));

        var p = model.Parameters;
        // kept: 0, 2, 3 -> clone of 0 -> two children of 1 -> then 3 pruned: [0, 2, clone0, child, child]
        Assert.Equal(5, p.Count);
        Assert.Equal((3L, 2L), controller.LastChange);
        var x = p.Positions.select(1, 0).data<float>().ToArray();
        Assert.Equal(xBefore[0], x[0]); Assert.Equal(xBefore[2], x[1]); Assert.Equal(xBefore[0], x[2]);
        Assert.InRange(x[3], xBefore[1] - 0.25, xBefore[1] + 0.25); Assert.InRange(x[4], xBefore[1] - 0.25, xBefore[1] + 0.25);
        Assert.NotEqual(x[3], x[4]);
        var s = p.Scales().data<float>().ToArray();
        Assert.Equal(sBefore[3] / 1.6, s[9], 6); // split children: scale / (0.8 * 2)
        Assert.Equal(sBefore[0], s[6], 7); // the clone keeps its size
        // Adam rows: kept rows keep their moment (row index + 1 times 0.1 after one step), new rows start at zero.
        var m = adam.Parameter(GaussianParameters.OpacityLogitsName);
        Assert.Same(p.OpacityLogits, m);
        var before = new[] { 1f, 3f, 0f, 0f, 0f };
        var slotM = ReadMoment(adam, GaussianParameters.OpacityLogitsName);
        for (int i = 0; i < 5; i++) Assert.Equal(before[i] * 0.1f, slotM[i], 5);
    }

    private static float[] ReadMoment(AdamOptimizer adam, string name)
    {
        var file = new InMemorySafeTensors();
        adam.WriteTo(file);
        return file.GetTorch($"adam.{name}.m").data<float>().ToArray();
    }

    [Fact]
    public void Densification_of_bound_gaussians_keeps_bindings_and_never_empties_a_triangle()
    {
        using var data = ProceduralHeadModel.Create();
        using var flame = new FlameModel(data);
        using var avatar = FlameGaussianAvatar.Create(flame, torch.zeros(1, 10), gaussiansPerTriangle: 2, generator: new torch.Generator(2));
        using var scope = torch.NewDisposeScope();
        var p = avatar.Parameters;
        long n0 = p.Count;
        var bindingBefore = p.Binding!.clone();
        using (torch.no_grad())
        {
            p.OpacityLogits.FilledWith(0.0f);
            p.OpacityLogits[0] = -9f; p.OpacityLogits[1] = -9f; // both Gaussians of triangle 0: must survive
            p.OpacityLogits[2] = -9f; // one of the two Gaussians of triangle 1: pruned
        }
        using var adam = Register(p);
        var gen = new torch.Generator(3);
        var grads = torch.rand(n0, generator: gen).Times(0.002f); // about half above the 0.001 threshold
        var worldMax = avatar.CanonicalWorldScales().max(1).values;
        double limit = worldMax.median().item<float>(); // half of the Gaussians count as small (cloned), half as large (split)
        using var controller = new DensityController(new DensificationOptions { GradientThreshold = 0.001, PercentDense = limit });
        controller.SetStatistics(grads, torch.ones(n0), torch.zeros(n0));
        long expectedClones = grads.IsAtLeast(0.001).logical_and(worldMax.IsAtMost(limit)).sum().item<long>();
        long expectedSplits = grads.IsAtLeast(0.001).logical_and(worldMax.IsGreaterThan(limit)).sum().item<long>();
        Assert.True(expectedClones > 0 && expectedSplits > 0, "the set-up should exercise both clone and split");
        controller.DensifyAndPrune(avatar, adam, sceneExtent: 1.0, pruneLargeOnScreen: false, new torch.Generator(4));

        Assert.Equal(n0 + expectedClones + expectedSplits - 1, p.Count);
        Assert.Equal(p.Count, p.Binding!.shape[0]);
        foreach (var name in GaussianParameters.TrainableNames) Assert.Equal(p.Count, adam.Parameter(name).shape[0]);
        var counts = torch.bincount(p.Binding, null, data.FaceCount);
        Assert.True(counts.min().item<long>() >= 1, "every triangle keeps at least one Gaussian");
        Assert.Equal(2, counts[0].item<long>());
        var before = torch.bincount(bindingBefore, null, data.FaceCount);
        Assert.True((counts - before).IsAtLeast(-1).all().item<bool>());
        // New Gaussians are bound to the triangles of their parents: per-triangle totals only grow where parents were densified.
        Assert.Equal(p.Count, counts.sum().item<long>());
        // The avatar still evaluates.
        Assert.Equal(p.Count, avatar.Evaluate().Means.shape[0]);
    }
}
