using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.Rendering;
using TorchSharp;

namespace FaceCraft4D.Vision.Tests.Rendering;

/// <summary>A smooth, analytic 3D colour field (wavelengths of 2-4 cm) painted on any surface.</summary>
internal sealed class StripedColour : ISurfaceColour
{
    public Vector3 Colour(Vector3 p, Vector3 n) => new(
        0.5f + 0.3f * MathF.Sin(2 * MathF.PI * p.X / 0.03f) * MathF.Cos(2 * MathF.PI * p.Y / 0.025f),
        0.5f + 0.3f * MathF.Sin(2 * MathF.PI * (p.Y + 0.01f) / 0.035f + 2 * MathF.PI * p.Z / 0.04f),
        0.5f + 0.3f * MathF.Cos(2 * MathF.PI * (p.Z - p.X) / 0.03f));
}

/// <summary>The neutral procedural head as a mesh, and exact ray casting against it for ground-truth visibility.</summary>
internal static class SyntheticScene
{
    private static readonly Lazy<TriangleMesh> HeadMesh = new(() =>
    {
        using var data = ProceduralHeadModel.Create();
        using var model = new FlameModel(data);
        using var scope = torch.NewDisposeScope();
        var output = model.Forward(model.ZeroParameters());
        return TriangleMesh.FromTensors(output.Vertices[0], model.Faces);
    });

    public static TriangleMesh Head => HeadMesh.Value;

    public static Camera Orbit(double yawDegrees, int size, double elevation = 0) =>
        OrbitCameras.CreateAtYaw(new OrbitCameraOptions { Radius = 1.0, FovYDegrees = 14, Width = size, Height = size, TargetY = 0.01, ElevationDegrees = elevation }, yawDegrees);

    /// <summary>True when the segment from the camera centre to the point crosses no triangle before it (Moller-Trumbore).</summary>
    public static bool VisibleFrom(TriangleMesh mesh, Vector3 origin, Vector3 point)
    {
        var dir = point - origin;
        float length = dir.Length();
        dir /= length;
        for (int t = 0; t < mesh.TriangleCount; t++)
        {
            var a = mesh.Position(mesh.Triangles[3 * t]);
            var b = mesh.Position(mesh.Triangles[3 * t + 1]);
            var c = mesh.Position(mesh.Triangles[3 * t + 2]);
            var e1 = b - a;
            var e2 = c - a;
            var pv = Vector3.Cross(dir, e2);
            float det = Vector3.Dot(e1, pv);
            if (MathF.Abs(det) < 1e-12f) continue;
            float inv = 1 / det;
            var tv = origin - a;
            float u = Vector3.Dot(tv, pv) * inv;
            if (u < 0 || u > 1) continue;
            var qv = Vector3.Cross(tv, e1);
            float v = Vector3.Dot(dir, qv) * inv;
            if (v < 0 || u + v > 1) continue;
            float hit = Vector3.Dot(e2, qv) * inv;
            if (hit > 1e-4f && hit < length - 1e-3f) return false; // a surface more than 1 mm in front of the point
        }
        return true;
    }
}
