using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>Gaussians bound to FLAME triangles follow the rig.</summary>
public sealed class AnimationTests
{
    private static (FlameModelData Data, FlameModel Flame, FlameGaussianAvatar Avatar) Build()
    {
        var data = ProceduralHeadModel.Create();
        var flame = new FlameModel(data, dtype: ScalarType.Float64);
        var avatar = FlameGaussianAvatar.Create(flame, torch.zeros(1, 10, ScalarType.Float64), gaussiansPerTriangle: 2, localScale: 0.4, generator: new torch.Generator(5));
        using (torch.no_grad())
        {
            // Give every Gaussian an off-centre local position and rotation so that the frame transform is exercised.
            var p = avatar.Parameters;
            p.Positions.PlusInPlace(torch.randn(p.Positions.shape, ScalarType.Float64, generator: new torch.Generator(6)).Times(0.3));
            p.Rotations.copy_(torch.randn(p.Rotations.shape, ScalarType.Float64, generator: new torch.Generator(7)));
        }
        return (data, flame, avatar);
    }

    /// <summary>Gaussians whose triangle has all three vertices in the index set.</summary>
    private static Tensor GaussiansOn(FlameModelData data, Tensor binding, Tensor vertexIds)
    {
        var inSet = HeldScalarOps.Hold(true.ToScalar(), held => torch.zeros(data.VertexCount, ScalarType.Bool).index_fill_(0, vertexIds, held));
        var faceIn = inSet.index_select(0, data.Faces.flatten()).view(-1, 3).all(1);
        return faceIn.index_select(0, binding).nonzero().flatten();
    }

    [Fact]
    public void Opening_the_jaw_moves_jaw_gaussians_rigidly_with_the_jaw_and_leaves_skull_gaussians_in_place()
    {
        var (data, flame, avatar) = Build();
        using var _ = data; using var __ = flame; using var ___ = avatar;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var rest = avatar.Evaluate();
        var frame = avatar.CanonicalFrame().With(jaw: torch.tensor(new[] { 0.3, 0, 0 }, new long[] { 1, 3 }, ScalarType.Float64));
        var open = avatar.Evaluate(frame);
        var binding = avatar.Parameters.Binding!;

        var skull = GaussiansOn(data, binding, data.VertexMasks["skull"]);
        Assert.True(skull.numel() > 1000);
        var skullMove = (open.Means.index_select(0, skull) - rest.Means.index_select(0, skull)).norm(1).max().item<double>();
        Assert.True(skullMove < 1e-7, $"skull Gaussians moved by {skullMove}");
        Assert.True((open.Quaternions.index_select(0, skull) - rest.Quaternions.index_select(0, skull)).abs().max().item<double>() < 1e-9);

        // Lower teeth are skinned 100 % to the jaw with no correctives: they must follow the jaw rotation exactly,
        // position, orientation and size.
        var teeth = GaussiansOn(data, binding, data.VertexMasks["teeth_lower"]);
        Assert.True(teeth.numel() > 50);
        var jawJoint = flame.Forward(avatar.CanonicalFrame()).Joints[0, (int)FlameJoint.Jaw];
        var r = torch.tensor(FlameReference.Rodrigues(0.3, 0, 0), new long[] { 3, 3 }, ScalarType.Float64);
        var expected = torch.matmul(rest.Means.index_select(0, teeth) - jawJoint, r.t()).Plus(jawJoint);
        Assert.True((expected - open.Means.index_select(0, teeth)).abs().max().item<double>() < 1e-7);
        var covRest = GaussianProjection.Covariance(rest.Quaternions.index_select(0, teeth), rest.Scales.index_select(0, teeth));
        var covOpen = GaussianProjection.Covariance(open.Quaternions.index_select(0, teeth), open.Scales.index_select(0, teeth));
        Assert.True((torch.matmul(torch.matmul(r, covRest), r.t()) - covOpen).abs().max().item<double>() < 1e-6 * covRest.abs().max().item<double>());

        // The chin moves down by centimetres.
        var jaw = GaussiansOn(data, binding, data.VertexMasks["jaw"]);
        var drop = (rest.Means.index_select(0, jaw) - open.Means.index_select(0, jaw)).select(1, 1).max().item<double>();
        Assert.True(drop > 0.01, $"jaw Gaussians dropped only {drop} m");
    }

    [Fact]
    public void Bound_gaussians_follow_a_global_head_rotation_rigidly()
    {
        var (data, flame, avatar) = Build();
        using var _ = data; using var __ = flame; using var ___ = avatar;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var rest = avatar.Evaluate();
        var turned = avatar.Evaluate(avatar.CanonicalFrame().With(globalRotation: torch.tensor(new[] { 0.1, 0.7, -0.2 }, new long[] { 1, 3 }, ScalarType.Float64)));
        var root = flame.Forward(avatar.CanonicalFrame()).Joints[0, 0];
        var r = torch.tensor(FlameReference.Rodrigues(0.1, 0.7, -0.2), new long[] { 3, 3 }, ScalarType.Float64);
        var meanError = (torch.matmul(rest.Means - root, r.t()).Plus(root) - turned.Means).abs().max().item<double>();
        Assert.True(meanError < 1e-7, $"means differ by {meanError}");
        var covRest = GaussianProjection.Covariance(rest.Quaternions, rest.Scales);
        var covTurned = GaussianProjection.Covariance(turned.Quaternions, turned.Scales);
        var covError = (torch.matmul(torch.matmul(r, covRest), r.t()) - covTurned).abs().max().item<double>() / covRest.abs().max().item<double>();
        Assert.True(covError < 1e-6, $"covariances differ by {covError} (relative)");
    }
}
