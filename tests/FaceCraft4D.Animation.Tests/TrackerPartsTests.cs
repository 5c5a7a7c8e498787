using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Animation.Tracking;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Tests;

/// <summary>Reference checks of the tracker's optimiser and differentiable renderer.</summary>
public sealed class TrackerPartsTests(ITestOutputHelper output)
{
    [Fact]
    public void Row_adam_steps_only_the_given_rows_and_minimises_a_quadratic()
    {
        using var scope = torch.NewDisposeScope();
        var target = torch.tensor(new float[] { 1, -2, 3, 0.5f, -1, 2 }, [3, 2]);
        var p = torch.zeros(3, 2).requires_grad_(true);
        using var adam = new RowAdam(p, [0.05, 0.1]);
        for (int i = 0; i < 400; i++)
        {
            var loss = (p - target).Power(2).sum();
            loss.backward();
            adam.Step([0, 2]);
        }
        var values = p.detach().data<float>().ToArray();
        Assert.Equal(0f, values[2]);
        Assert.Equal(0f, values[3]); // row 1 was never stepped
        Assert.True(Math.Abs(values[0] - 1) < 0.05 && Math.Abs(values[1] + 2) < 0.05 && Math.Abs(values[4] + 1) < 0.05 && Math.Abs(values[5] - 2) < 0.05,
            string.Join(", ", values));
    }

    [Fact]
    public void The_photometric_loss_through_flame_and_the_splat_renderer_has_the_gradient_finite_differences_give()
    {
        torch.set_num_threads(1);
        using var subject = new SyntheticHead();
        var head = subject.Head;
        var camera = subject.CameraAt(20, 64);
        var renderer = new SurfaceSplatRenderer(head.Faces, head.Layout.HeadFaceCount, 1, 0.4, 0.95, torch.CPU);
        using var scope = torch.NewDisposeScope();
        var colours = renderer.Colours(subject.Appearance);
        var truth = head.Neutral with { Jaw = [0.15f, 0, 0], Expression = head.Neutral.Expression.Select((e, i) => i == 0 ? 1f : e).ToArray() };
        var target = TexturedHeadRenderer.Render(head.Meshes([truth])[0], subject.Appearance, camera);
        var targetImage = torch.tensor(target.Image.Data, [64, 64, 3]);
        var start = head.Neutral with { Jaw = [0.1f, 0, 0] };
        double Loss(FlameFrame frame, out Tensor jaw, out Tensor expression, bool grad)
        {
            var p = head.Posed.Parameters(head.Shape, [frame]);
            jaw = p.Jaw.clone().requires_grad_(grad);
            expression = p.Expression.clone().requires_grad_(grad);
            var (v, _) = head.Posed.Forward(p.With(jaw: jaw, expression: expression), head.Offsets);
            var (image, alpha) = renderer.Render(v[0], colours, camera);
            var loss = (image - targetImage).Power(2).mean().Plus(alpha.sum().Times(0));
            if (grad) loss.backward();
            return loss.item<float>();
        }
        Loss(start, out var jawParam, out var exprParam, grad: true);
        double analyticJaw = jawParam.grad!.data<float>()[0];
        double analyticExpr = exprParam.grad!.data<float>()[0];
        double h = 2e-3, he = 0.05;
        double numericJaw = (Loss(start with { Jaw = [0.1f + (float)h, 0, 0] }, out _, out _, false) - Loss(start with { Jaw = [0.1f - (float)h, 0, 0] }, out _, out _, false)) / (2 * h);
        var ePlus = start.Expression.ToArray(); ePlus[0] += (float)he;
        var eMinus = start.Expression.ToArray(); eMinus[0] -= (float)he;
        double numericExpr = (Loss(start with { Expression = ePlus }, out _, out _, false) - Loss(start with { Expression = eMinus }, out _, out _, false)) / (2 * he);
        output.WriteLine($"dL/djaw: autograd {analyticJaw:E3}, central difference {numericJaw:E3}; dL/dexpr0: autograd {analyticExpr:E3}, central difference {numericExpr:E3}");
        Assert.True(analyticJaw < 0 && numericJaw < 0, "opening the jaw toward the target must lower the loss");
        // The splat renderer culls and bins splats (piecewise constant in the parameters), so agreement is approximate.
        Assert.InRange(analyticJaw / numericJaw, 0.7, 1.4);
        Assert.InRange(analyticExpr / numericExpr, 0.7, 1.4);
    }
}
