using FaceCraft4D.Graphics.Flame;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Avatar;

/// <summary>
/// Local frames of mesh triangles (GaussianAvatars convention): origin at the centroid, x along the first edge
/// (v1 - v0), z along the face normal ((v1 - v0) x (v2 - v0), counter-clockwise outward), y = z x x; scale k is the mean of
/// the first edge's length and the triangle's height over it. Differentiable in the vertices.
/// </summary>
public sealed class TriangleFrames
{
    /// <summary>Centroids [F, 3].</summary>
    public required Tensor Centers { get; init; }

    /// <summary>Rotation matrices [F, 3, 3] whose columns are the frame axes in world coordinates.</summary>
    public required Tensor Rotations { get; init; }

    /// <summary>Frame scale k [F].</summary>
    public required Tensor Scales { get; init; }

    /// <summary>The same rotations as unit quaternions [F, 4] (w, x, y, z).</summary>
    public Tensor Quaternions() => Flame.Rotations.MatrixToQuaternion(Rotations);

    /// <summary>Computes the frames of <paramref name="faces"/> [F, 3] (int64) over <paramref name="vertices"/> [V, 3].</summary>
    public static TriangleFrames Compute(Tensor vertices, Tensor faces)
    {
        using var scope = torch.NewDisposeScope();
        // Number operands are explicit Scalars disposed after use (held through each native call): this runs every
        // training and tracking step, where implicit ones met the TorchSharp#1434 finalizer race in CI (clamp_min).
        using var one = 1.ToScalar();
        using var minLength = 1e-12.ToScalar();
        using var minNormal = 1e-20.ToScalar();
        using var half = 0.5.ToScalar();
        using var third = (1.0 / 3.0).ToScalar();
        var v0 = vertices.index_select(0, faces.select(1, 0));
        var v1 = vertices.index_select(0, faces.select(1, 1));
        var v2 = vertices.index_select(0, faces.select(1, 2));
        var e0 = v1.sub(v0);
        var e1 = v2.sub(v0);
        var len0 = e0.norm(1, true).clamp_min(minLength);
        var x = e0.div(len0);
        var n = torch.linalg.cross(e0, e1);
        var z = n.div(n.norm(1, true).clamp_min(minNormal));
        var y = torch.linalg.cross(z, x);
        var height = e1.mul(y).sum(1).abs();
        var k = len0.squeeze(1).add(height, one).mul(half);
        var centers = v0.add(v1, one).add(v2, one).mul(third);
        return new TriangleFrames
        {
            Centers = centers.MoveToOuterDisposeScope(),
            Rotations = torch.stack(new[] { x, y, z }, 2).MoveToOuterDisposeScope(),
            Scales = k.MoveToOuterDisposeScope(),
        };
    }
}
