using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>Projects a fitted head's FaceMesh points (of a <see cref="DenseFitTarget"/>) through its reference camera.</summary>
public static class DenseFitProjection
{
    /// <returns>x/y interleaved per correspondence point, in the camera's pixels.</returns>
    public static float[] Project(DenseFitTarget target, FittedHead head, IReadOnlyList<float>? eyes = null)
    {
        var m = target.Model;
        using var scope = torch.NewDisposeScope();
        var pose = new float[15];
        pose[6] = head.Jaw[0]; pose[7] = head.Jaw[1]; pose[8] = head.Jaw[2];
        if (eyes is not null) for (int i = 0; i < 6; i++) pose[9 + i] = eyes[i];
        using var _ = torch.no_grad();
        var points = m.Forward(torch.tensor(head.Shape), torch.tensor(head.Expression), torch.tensor(pose))
            .to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray(); // [K, 3] model frame
        var result = new float[2 * m.LandmarkCount];
        for (int k = 0; k < m.LandmarkCount; k++)
        {
            var (u, v, _) = head.ReferenceCamera.Project(new FaceCraft4D.Graphics.Cameras.Vector3d(points[3 * k], points[3 * k + 1], points[3 * k + 2]));
            result[2 * k] = (float)u; result[2 * k + 1] = (float)v;
        }
        return result;
    }
}
