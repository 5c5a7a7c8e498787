using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// EWA projection of 3D Gaussians (3DGS / gsplat semantics): world covariance R S S^T R^T from the normalised
/// quaternion (w, x, y, z) and linear scales, camera-space covariance, the perspective Jacobian with the camera-space
/// x/y clamped to 1.3 x the field of view, the low-pass dilation of the 2D covariance, its inverse (conic) and per-axis
/// radii. Differentiable through TorchSharp autograd (radii are not).
/// </summary>
public static class GaussianProjection
{
    /// <summary>Rotation matrices [N, 3, 3] of quaternions [N, 4] (w, x, y, z), normalised here.</summary>
    public static Tensor QuaternionToMatrix(Tensor quaternions)
    {
        using var scope = torch.NewDisposeScope();
        var q = torch.nn.functional.normalize(quaternions, p: 2, dim: -1);
        var w = q.select(-1, 0); var x = q.select(-1, 1); var y = q.select(-1, 2); var z = q.select(-1, 3);
        var r = torch.stack(new[]
        {
            ((y * y).Plus(z * z)).Times(2).SubtractedFrom(1), (x * y - w * z).Times(2), ((x * z).Plus(w * y)).Times(2),
            ((x * y).Plus(w * z)).Times(2), ((x * x).Plus(z * z)).Times(2).SubtractedFrom(1), (y * z - w * x).Times(2),
            (x * z - w * y).Times(2), ((y * z).Plus(w * x)).Times(2), ((x * x).Plus(y * y)).Times(2).SubtractedFrom(1),
        }, -1);
        var shape = quaternions.shape[..^1].Concat(new long[] { 3, 3 }).ToArray();
        return r.reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>World covariances [N, 3, 3] = (R S)(R S)^T from quaternions [N, 4] and linear scales [N, 3].</summary>
    public static Tensor Covariance(Tensor quaternions, Tensor scales)
    {
        using var scope = torch.NewDisposeScope();
        var m = QuaternionToMatrix(quaternions) * scales.unsqueeze(-2);
        return torch.matmul(m, m.transpose(-1, -2)).MoveToOuterDisposeScope();
    }

    /// <summary>Projects Gaussians into a camera.</summary>
    /// <param name="means">Centres [N, 3].</param>
    /// <param name="quaternions">Rotations [N, 4] (w, x, y, z).</param>
    /// <param name="scales">Linear scales [N, 3].</param>
    /// <param name="camera">The camera (OpenCV, world-to-camera).</param>
    /// <param name="options">Rasterizer options (near/far, low-pass, radius sigmas).</param>
    public static ProjectedGaussians Project(Tensor means, Tensor quaternions, Tensor scales, Camera camera, RasterizerOptions options)
    {
        var device = means.device;
        var dtype = means.dtype;
        using var scope = torch.NewDisposeScope();
        var view = camera.ViewMatrixTensor(device, dtype);
        var rot = view.narrow(0, 0, 3).narrow(1, 0, 3); // [3, 3]
        var trans = view.narrow(0, 0, 3).select(1, 3); // [3]

        var meansCam = torch.matmul(means, rot.t()).Plus(trans); // [N, 3]
        var covWorld = Covariance(quaternions, scales); // [N, 3, 3]
        var covCam = torch.matmul(torch.matmul(rot, covWorld), rot.t()); // [N, 3, 3]

        var intr = camera.Intrinsics;
        double fx = intr.Fx, fy = intr.Fy, cx = intr.Cx, cy = intr.Cy;
        var x = meansCam.select(1, 0); var y = meansCam.select(1, 1); var z = meansCam.select(1, 2);
        var depthOk = z.IsGreaterThan(options.NearPlane).logical_and(z.IsLessThan(options.FarPlane));
        var zs = torch.where(depthOk, z, torch.ones_like(z)); // safe depth for culled Gaussians

        double tanFovX = 0.5 * intr.Width / fx, tanFovY = 0.5 * intr.Height / fy;
        double limXPos = (intr.Width - cx) / fx + 0.3 * tanFovX, limXNeg = cx / fx + 0.3 * tanFovX;
        double limYPos = (intr.Height - cy) / fy + 0.3 * tanFovY, limYNeg = cy / fy + 0.3 * tanFovY;
        var tx = zs * (x / zs).Clamped(-limXNeg, limXPos);
        var ty = zs * (y / zs).Clamped(-limYNeg, limYPos);

        var zero = torch.zeros_like(zs);
        var jac = torch.stack(new[] { zs.reciprocal().Times(fx), zero, tx.Times(-fx) / (zs * zs), zero, zs.reciprocal().Times(fy), ty.Times(-fy) / (zs * zs) }, -1).reshape(-1, 2, 3);
        var cov2d = torch.matmul(torch.matmul(jac, covCam), jac.transpose(1, 2)); // [N, 2, 2]

        var means2d = torch.stack(new[] { (x.Times(fx) / zs).Plus(cx), (y.Times(fy) / zs).Plus(cy) }, -1);

        var c00 = cov2d.select(1, 0).select(1, 0).Plus(options.LowPassFilter);
        var c11 = cov2d.select(1, 1).select(1, 1).Plus(options.LowPassFilter);
        var c01 = (cov2d.select(1, 0).select(1, 1).Plus(cov2d.select(1, 1).select(1, 0))).Times(0.5);
        var detRaw = c00 * c11 - c01 * c01;
        var det = detRaw.ClampedMin(1e-10);
        var conics = torch.stack(new[] { c11 / det, -c01 / det, c00 / det }, -1);

        Tensor radii;
        using (torch.no_grad())
        {
            var rx = torch.ceil(c00.detach().ClampedMin(0).sqrt().Times(options.RadiusSigmas));
            var ry = torch.ceil(c11.detach().ClampedMin(0).sqrt().Times(options.RadiusSigmas));
            var m2 = means2d.detach();
            var mx = m2.select(1, 0); var my = m2.select(1, 1);
            var keep = depthOk.logical_and(detRaw.detach().IsGreaterThan(0))
                .logical_and((mx.Plus(rx)).IsGreaterThan(0)).logical_and((mx - rx).IsLessThan(intr.Width))
                .logical_and((my.Plus(ry)).IsGreaterThan(0)).logical_and((my - ry).IsLessThan(intr.Height));
            radii = torch.where(keep.unsqueeze(1), torch.stack(new[] { rx, ry }, -1), torch.zeros_like(m2)).to_type(ScalarType.Int32);
        }

        var result = new ProjectedGaussians
        {
            Means2d = means2d.MoveToOuterDisposeScope(),
            Conics = conics.MoveToOuterDisposeScope(),
            Depths = z.MoveToOuterDisposeScope(),
            Radii = radii.MoveToOuterDisposeScope(),
        };
        return result;
    }
}
