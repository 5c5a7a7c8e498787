using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>Evaluating a FLAME-bound avatar through its pose cache gives what posing FLAME each time gives.</summary>
public sealed class PosedTriangleCacheTests
{
    [Fact]
    public void Cached_frames_give_the_gaussians_and_gradients_of_posing_every_time_and_are_keyed_by_value()
    {
        using var scope = torch.NewDisposeScope();
        using var data = ProceduralHeadModel.Create();
        using var flame = new FlameModel(data);
        using var avatar = FlameGaussianAvatar.Create(flame, torch.zeros(1, 10), gaussiansPerTriangle: 2, localScale: 0.6, generator: new torch.Generator(3));
        var g = new torch.Generator(4);
        var frame = flame.ZeroParameters().With(expression: torch.randn([1, flame.ExpressionCount], generator: g).Times(0.5), jaw: torch.tensor(new float[] { 0.2f, 0, 0 }, [1, 3]));
        var p = avatar.Parameters;
        foreach (var name in GaussianParameters.TrainableNames) p[name].requires_grad_(true);

        (SplatGaussians Splat, Tensor[] Grads) Run()
        {
            foreach (var name in GaussianParameters.TrainableNames) p[name].grad?.zero_();
            var s = avatar.Evaluate(frame);
            s.Means.sum().Plus(s.Quaternions.Power(2).sum().Times(0.3)).Plus((s.Quaternions.select(1, 1) * s.Means.select(1, 0)).sum()).Plus(s.Scales.sum()).backward();
            return (s, new[] { p.Positions.grad!.clone(), p.Rotations.grad!.clone(), p.LogScales.grad!.clone() });
        }

        var direct = Run();
        avatar.PoseCache.Capacity = 2;
        var miss = Run();
        var hit = Run();
        Assert.Equal(1, avatar.PoseCache.Count);
        foreach (var cached in new[] { miss, hit })
        {
            Assert.True((cached.Splat.Means - direct.Splat.Means).abs().max().item<float>() < 1e-6);
            Assert.True((cached.Splat.Quaternions - direct.Splat.Quaternions).abs().max().item<float>() < 1e-6);
            Assert.True((cached.Splat.Scales - direct.Splat.Scales).abs().max().item<float>() < 1e-6);
            for (int i = 0; i < 3; i++) Assert.True((cached.Grads[i] - direct.Grads[i]).abs().max().item<float>() < 1e-5, $"gradient {i}");
        }

        // A frame changed in place is a new entry (keyed by value); the oldest goes when full; frames in autograd are not cached.
        using (torch.no_grad()) frame.Expression.PlusInPlace(0.1);
        var moved = avatar.Evaluate(frame);
        Assert.Equal(2, avatar.PoseCache.Count);
        Assert.True((moved.Means - direct.Splat.Means).abs().max().item<float>() > 1e-4);
        avatar.Evaluate(null);
        Assert.Equal(2, avatar.PoseCache.Count);
        var tracked = frame.With(expression: frame.Expression.clone().requires_grad_(true));
        avatar.Evaluate(tracked).Means.sum().backward();
        Assert.NotNull(tracked.Expression.grad);
        Assert.Equal(2, avatar.PoseCache.Count);
    }
}
