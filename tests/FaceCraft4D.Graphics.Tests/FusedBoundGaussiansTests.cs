using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// The fused world-space evaluation of bound Gaussians (<see cref="FusedBoundGaussiansFunction"/>) against the tensor formulas
/// of <see cref="FlameGaussianAvatar.Evaluate"/> in float64 (values and autograd gradients), against central finite
/// differences, and in float32 against its own float64 result.
/// </summary>
public sealed class FusedBoundGaussiansTests
{
    private sealed record Scene(GaussianParameters Parameters, PosedTriangleCache.Entry Frames) : IDisposable
    {
        public void Dispose()
        {
            Parameters.Dispose();
            Frames.Dispose();
        }
    }

    /// <summary>Random triangles' frames (F = 7) and N = 23 Gaussians bound to them with random attributes.</summary>
    private static Scene Make(ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(17);
        const long f = 7, n = 23;
        var vertices = torch.randn([3 * f, 3], ScalarType.Float64, generator: g);
        var faces = HeldScalarOps.Arange(3 * f, ScalarType.Int64).reshape(f, 3);
        var frames = TriangleFrames.Compute(vertices, faces);
        var entry = new PosedTriangleCache.Entry
        {
            Centers = frames.Centers.to_type(dtype).DetachFromDisposeScope(),
            Rotations = frames.Rotations.to_type(dtype).DetachFromDisposeScope(),
            Scales = frames.Scales.to_type(dtype).DetachFromDisposeScope(),
            Quaternions = frames.Quaternions().to_type(dtype).DetachFromDisposeScope(),
        };
        var binding = torch.randint(0, f, [n], ScalarType.Int64, generator: g);
        var rotations = torch.randn([n, 4], ScalarType.Float64, generator: g);
        var p = new GaussianParameters(
            torch.randn([n, 3], ScalarType.Float64, generator: g).to_type(dtype),
            torch.randn([n, 3], ScalarType.Float64, generator: g).Times(0.5).Minus(1).to_type(dtype),
            rotations.to_type(dtype),
            torch.randn([n], ScalarType.Float64, generator: g).Times(2).to_type(dtype),
            torch.randn([n, 1, 3], ScalarType.Float64, generator: g).to_type(dtype),
            torch.zeros([n, 3, 3], dtype),
            maxShDegree: 1, binding: binding);
        return new Scene(p, entry);
    }

    /// <summary>The tensor path of <see cref="FlameGaussianAvatar.Evaluate"/> with cached frames, op by op.</summary>
    private static Tensor[] Reference(GaussianParameters p, PosedTriangleCache.Entry frames)
    {
        var b = p.Binding!;
        var r = frames.Rotations.index_select(0, b);
        var k = frames.Scales.index_select(0, b).unsqueeze(1);
        var means = (torch.matmul(r, p.Positions.unsqueeze(-1)).squeeze(-1) * k).Plus(frames.Centers.index_select(0, b));
        var quats = Rotations.QuaternionMultiply(frames.Quaternions.index_select(0, b), p.UnitRotations());
        return [means, quats, p.Scales() * k, p.Opacities()];
    }

    private static Tensor[] Fused(GaussianParameters p, PosedTriangleCache.Entry frames)
    {
        Assert.True(FusedBoundGaussiansFunction.Supports(p, frames));
        var (m, q, s, o) = FusedBoundGaussiansFunction.Apply(p, frames);
        return [m, q, s, o];
    }

    /// <summary>A loss that weights every output element differently (so each gradient entry is checked).</summary>
    private static Tensor Loss(Tensor[] outputs, Tensor[] weights) =>
        outputs.Zip(weights, (o, w) => (o * w).sum()).Aggregate((a, c) => a.Plus(c));

    private static Tensor[] Weights(Tensor[] like)
    {
        var g = new torch.Generator(29);
        return like.Select(t => torch.randn(t.shape, t.dtype, generator: g)).ToArray();
    }

    private static Tensor[] Gradients(GaussianParameters p, Func<GaussianParameters, Tensor[]> evaluate, Tensor[] weights)
    {
        Tensor[] leaves = [p.Positions, p.Rotations, p.LogScales, p.OpacityLogits];
        foreach (var l in leaves) l.grad?.zero_();
        Loss(evaluate(p), weights).backward();
        return leaves.Select(l => l.grad!.clone()).ToArray();
    }

    private static double MaxAbs(Tensor a, Tensor b) => (a - b).abs().max().to_type(ScalarType.Float64).item<double>();

    [Fact]
    public void Values_and_gradients_equal_the_tensor_path_in_float64()
    {
        using var scope = torch.NewDisposeScope();
        using var scene = Make(ScalarType.Float64);
        var fused = Fused(scene.Parameters, scene.Frames);
        var reference = Reference(scene.Parameters, scene.Frames);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(reference[i].shape, fused[i].shape);
            Assert.True(MaxAbs(fused[i], reference[i]) < 1e-12, $"output {i}: {MaxAbs(fused[i], reference[i])}");
        }
        var weights = Weights(reference);
        var gf = Gradients(scene.Parameters, p => Fused(p, scene.Frames), weights);
        var gr = Gradients(scene.Parameters, p => Reference(p, scene.Frames), weights);
        for (int i = 0; i < 4; i++)
            Assert.True(MaxAbs(gf[i], gr[i]) < 1e-11, $"gradient {i}: {MaxAbs(gf[i], gr[i])}");
    }

    [Fact]
    public void Gradients_match_central_finite_differences()
    {
        using var scope = torch.NewDisposeScope();
        using var scene = Make(ScalarType.Float64);
        var p = scene.Parameters;
        var weights = Weights(Reference(p, scene.Frames));
        var analytic = Gradients(p, q => Fused(q, scene.Frames), weights);
        Tensor[] leaves = [p.Positions, p.Rotations, p.LogScales, p.OpacityLogits];
        const double h = 1e-6;
        double Value()
        {
            using var noGrad = torch.no_grad();
            return Loss(Fused(p, scene.Frames), weights).item<double>();
        }
        for (int l = 0; l < leaves.Length; l++)
        {
            var flat = leaves[l].detach().view(-1);
            var grad = analytic[l].view(-1);
            foreach (long i in new long[] { 0, 5, flat.shape[0] - 1 })
            {
                double x = flat[i].item<double>();
                using (torch.no_grad()) flat[i].FilledWith(x + h);
                double up = Value();
                using (torch.no_grad()) flat[i].FilledWith(x - h);
                double down = Value();
                using (torch.no_grad()) flat[i].FilledWith(x);
                double numeric = (up - down) / (2 * h), exact = grad[i].item<double>();
                Assert.True(Math.Abs(numeric - exact) <= 1e-6 * Math.Max(1, Math.Abs(exact)), $"leaf {l}, element {i}: {exact} vs {numeric}");
            }
        }
    }

    [Fact]
    public void Float32_follows_float64_and_the_avatar_takes_the_fused_path_only_with_cached_frames()
    {
        using var scope = torch.NewDisposeScope();
        using var s64 = Make(ScalarType.Float64);
        using var s32 = Make(ScalarType.Float32);
        var f64 = Fused(s64.Parameters, s64.Frames);
        var f32 = Fused(s32.Parameters, s32.Frames);
        var w64 = Weights(f64);
        var w32 = w64.Select(w => w.to_type(ScalarType.Float32)).ToArray();
        var g64 = Gradients(s64.Parameters, p => Fused(p, s64.Frames), w64);
        var g32 = Gradients(s32.Parameters, p => Fused(p, s32.Frames), w32);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(MaxAbs(f32[i].to_type(ScalarType.Float64), f64[i]) < 1e-5, $"output {i}");
            Assert.True(MaxAbs(g32[i].to_type(ScalarType.Float64), g64[i]) < 1e-4 * Math.Max(1, g64[i].abs().max().item<double>()), $"gradient {i}");
        }

        // The avatar: with the pose cache on and fused binding, the same Gaussians and gradients as the tensor path.
        using var data = ProceduralHeadModel.Create();
        using var flame = new FlameModel(data);
        using var avatar = FlameGaussianAvatar.Create(flame, torch.zeros(1, 10), gaussiansPerTriangle: 2, localScale: 0.6, generator: new torch.Generator(3));
        avatar.PoseCache.Capacity = 1;
        var frame = flame.ZeroParameters().With(jaw: torch.tensor(new float[] { 0.2f, 0, 0 }, [1, 3]));
        var pa = avatar.Parameters;
        using (torch.no_grad()) pa.Rotations.PlusInPlace(torch.randn(pa.Rotations.shape, generator: new torch.Generator(8)).Times(0.3));
        Tensor[] Outputs(bool fusedPath)
        {
            avatar.FusedBinding = fusedPath;
            var g = avatar.Evaluate(frame);
            return [g.Means, g.Quaternions, g.Scales, g.Opacities];
        }
        var wa = Weights(Outputs(false));
        var onPath = Outputs(true);
        var offPath = Outputs(false);
        for (int i = 0; i < 4; i++) Assert.True(MaxAbs(onPath[i], offPath[i]) < 1e-5, $"avatar output {i}");
        var ga = Gradients(pa, _ => Outputs(true), wa);
        var gb = Gradients(pa, _ => Outputs(false), wa);
        for (int i = 0; i < 4; i++) Assert.True(MaxAbs(ga[i], gb[i]) < 1e-4 * Math.Max(1, gb[i].abs().max().item<float>()), $"avatar gradient {i}");
    }
}
