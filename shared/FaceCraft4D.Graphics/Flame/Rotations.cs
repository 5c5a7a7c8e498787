using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>Rotation helpers (differentiable).</summary>
public static class Rotations
{
    /// <summary>
    /// Rodrigues' formula: axis-angle vectors [.., 3] to rotation matrices [.., 3, 3]
    /// (R = I + sin(a) K + (1 - cos(a)) K^2, with a small epsilon so the gradient at zero is finite).
    /// </summary>
    public static Tensor AxisAngleToMatrix(Tensor axisAngle)
    {
        using var scope = torch.NewDisposeScope();
        // Number operands (and add's hidden alpha = 1) as explicit Scalars disposed after use, which holds them through
        // each native call: implicit ones met the TorchSharp#1434 finalizer race here ("Expected false to be true" from
        // the scalar conversion in the export job, whose first attempt failed and was retried).
        using var one = 1.ToScalar();
        using var epsilon = 1e-8.ToScalar();
        var shape = axisAngle.shape;
        var r = axisAngle.reshape(-1, 3);
        var angle = r.add(epsilon, one).norm(1, true, 2); // [M, 1]
        var dir = r.div(angle);
        var sin = torch.sin(angle).unsqueeze(-1);
        var cos = torch.cos(angle).unsqueeze(-1);
        var x = dir.select(1, 0); var y = dir.select(1, 1); var z = dir.select(1, 2);
        var zero = torch.zeros_like(x);
        var k = torch.stack(new[] { zero, z.neg(), y, z, zero, x.neg(), y.neg(), x, zero }, 1).view(-1, 3, 3);
        var eye = torch.eye(3, dtype: axisAngle.dtype, device: axisAngle.device).unsqueeze(0);
        var oneMinusCos = cos.neg().add(one, one); // 1 - cos
        var rot = eye.add(sin.mul(k), one).add(oneMinusCos.mul(torch.bmm(k, k)), one);
        return rot.reshape(shape[..^1].Concat(new long[] { 3, 3 }).ToArray()).MoveToOuterDisposeScope();
    }

    /// <summary>Rotation matrices [.., 3, 3] to unit quaternions [.., 4] (w, x, y, z), w &gt;= 0 (numerically robust branch selection).</summary>
    public static Tensor MatrixToQuaternion(Tensor m)
    {
        using var scope = torch.NewDisposeScope();
        var shape = m.shape;
        var r = m.reshape(-1, 3, 3);
        var m00 = r[.., 0, 0]; var m11 = r[.., 1, 1]; var m22 = r[.., 2, 2];
        var m01 = r[.., 0, 1]; var m10 = r[.., 1, 0]; var m02 = r[.., 0, 2]; var m20 = r[.., 2, 0]; var m12 = r[.., 1, 2]; var m21 = r[.., 2, 1];
        // Four candidate quaternions scaled by 4*component; pick the one with the largest component.
        var qw = torch.stack(new[] { m00.Plus(1).Plus(m11).Plus(m22), m21 - m12, m02 - m20, m10 - m01 }, 1);
        var qx = torch.stack(new[] { m21 - m12, m00.Plus(1) - m11 - m22, m01.Plus(m10), m02.Plus(m20) }, 1);
        var qy = torch.stack(new[] { m02 - m20, m01.Plus(m10), m00.SubtractedFrom(1).Plus(m11) - m22, m12.Plus(m21) }, 1);
        var qz = torch.stack(new[] { m10 - m01, m02.Plus(m20), m12.Plus(m21), (m00.SubtractedFrom(1) - m11).Plus(m22) }, 1);
        var candidates = torch.stack(new[] { qw, qx, qy, qz }, 1); // [M, 4 candidates, 4]
        var diag = torch.stack(new[] { m00.Plus(1).Plus(m11).Plus(m22), m00.Plus(1) - m11 - m22, m00.SubtractedFrom(1).Plus(m11) - m22, (m00.SubtractedFrom(1) - m11).Plus(m22) }, 1);
        var best = diag.argmax(1); // [M]
        var q = candidates.gather(1, best.view(-1, 1, 1).expand(-1, 1, 4)).squeeze(1);
        q = torch.nn.functional.normalize(q, p: 2, dim: 1);
        q = torch.where(q.select(1, 0).IsLessThan(0).unsqueeze(1), -q, q);
        return q.reshape(shape[..^2].Concat(new long[] { 4 }).ToArray()).MoveToOuterDisposeScope();
    }

    /// <summary>Hamilton product of quaternions [.., 4] (w, x, y, z): rotation b followed by rotation a.</summary>
    public static Tensor QuaternionMultiply(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var aw = a.select(-1, 0); var ax = a.select(-1, 1); var ay = a.select(-1, 2); var az = a.select(-1, 3);
        var bw = b.select(-1, 0); var bx = b.select(-1, 1); var by = b.select(-1, 2); var bz = b.select(-1, 3);
        return torch.stack(new[]
        {
            aw * bw - ax * bx - ay * by - az * bz,
            (aw * bx).Plus(ax * bw).Plus(ay * bz) - az * by,
            (aw * by - ax * bz).Plus(ay * bw).Plus(az * bx),
            ((aw * bz).Plus(ax * by) - ay * bx).Plus(az * bw),
        }, -1).MoveToOuterDisposeScope();
    }
}
