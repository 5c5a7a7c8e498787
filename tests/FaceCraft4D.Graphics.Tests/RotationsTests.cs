using FaceCraft4D.Graphics.Flame;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>Rodrigues' formula against closed-form rotations, and its constants held through garbage collections.</summary>
public sealed class RotationsTests
{
    [Fact]
    public void Axis_angle_gives_the_closed_form_rotation_about_each_axis_and_keeps_the_leading_shape()
    {
        using var scope = torch.NewDisposeScope();
        const double a = 0.7;
        var r = Rotations.AxisAngleToMatrix(torch.tensor(new double[] { a, 0, 0, 0, a, 0, 0, 0, a, 0, 0, 0 }, [2, 2, 3]));
        Assert.Equal(new long[] { 2, 2, 3, 3 }, r.shape);
        double c = Math.Cos(a), s = Math.Sin(a);
        double[][] expected =
        [
            [1, 0, 0, 0, c, -s, 0, s, c],
            [c, 0, s, 0, 1, 0, -s, 0, c],
            [c, -s, 0, s, c, 0, 0, 0, 1],
            [1, 0, 0, 0, 1, 0, 0, 0, 1],
        ];
        var flat = r.reshape(4, 9);
        for (int i = 0; i < 4; i++)
        {
            var got = flat[i].data<double>().ToArray();
            for (int j = 0; j < 9; j++)
            {
                Assert.True(Math.Abs(got[j] - expected[i][j]) < 1e-7, $"rotation {i} entry {j}: {got[j]} vs {expected[i][j]}");
            }
        }
    }

    [Fact]
    public void Rotations_stay_equal_while_other_threads_force_collections_and_finalizers()
    {
        // TorchSharp#1434: an implicit number Scalar could be finalized while libtorch read it. With every constant held,
        // collections running beside the calls change nothing.
        using var scope = torch.NewDisposeScope();
        var input = torch.tensor(new float[] { 0.3f, -0.2f, 0.9f, 0, 0, 0, -1.1f, 0.4f, 0.05f }, [3, 3]);
        var reference = Rotations.AxisAngleToMatrix(input);
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        try
        {
            for (int i = 0; i < 300; i++)
            {
                using var inner = torch.NewDisposeScope();
                var again = Rotations.AxisAngleToMatrix(input);
                Assert.True(again.sub(reference).abs().max().item<float>() == 0f, $"call {i} differs");
            }
        }
        finally
        {
            stop.Cancel();
            collector.Wait();
        }
    }
}
