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

    /// <summary>
    /// Exact visibility by ray casting (Moller-Trumbore) from a camera centre: a point is visible when no triangle
    /// crosses the segment more than 1 mm in front of it. Triangles are binned by their projection in that camera,
    /// so a query only tests the triangles whose image-space box contains the point's projection.
    /// </summary>
    public sealed class RayCaster
    {
        private const int Bins = 32;
        private readonly TriangleMesh mesh;
        private readonly Camera camera;
        private readonly Vector3 origin;
        private readonly List<int>[] bins = Enumerable.Range(0, Bins * Bins).Select(_ => new List<int>()).ToArray();

        public RayCaster(TriangleMesh mesh, Camera camera)
        {
            this.mesh = mesh;
            this.camera = camera;
            var c = camera.Position;
            origin = new Vector3((float)c.X, (float)c.Y, (float)c.Z);
            var (screen, _) = MeshRasterizer.Project(mesh, camera, 1e-3);
            for (int t = 0; t < mesh.TriangleCount; t++)
            {
                double x0 = double.MaxValue, y0 = double.MaxValue, x1 = double.MinValue, y1 = double.MinValue;
                for (int k = 0; k < 3; k++)
                {
                    int v = mesh.Triangles[3 * t + k];
                    x0 = Math.Min(x0, screen[3 * v]); x1 = Math.Max(x1, screen[3 * v]);
                    y0 = Math.Min(y0, screen[3 * v + 1]); y1 = Math.Max(y1, screen[3 * v + 1]);
                }
                int bx0 = Bin(x0, camera.Width), bx1 = Bin(x1, camera.Width), by0 = Bin(y0, camera.Height), by1 = Bin(y1, camera.Height);
                for (int by = by0; by <= by1; by++)
                for (int bx = bx0; bx <= bx1; bx++) bins[by * Bins + bx].Add(t);
            }
        }

        private static int Bin(double coordinate, int size) => Math.Clamp((int)Math.Floor(coordinate / size * Bins), 0, Bins - 1);

        public bool Visible(Vector3 point)
        {
            var (u, v, _) = camera.Project(new Vector3d(point.X, point.Y, point.Z));
            var dir = point - origin;
            float length = dir.Length();
            dir /= length;
            foreach (int t in bins[Bin(v, camera.Height) * Bins + Bin(u, camera.Width)])
            {
                var a = mesh.Position(mesh.Triangles[3 * t]);
                var e1 = mesh.Position(mesh.Triangles[3 * t + 1]) - a;
                var e2 = mesh.Position(mesh.Triangles[3 * t + 2]) - a;
                var pv = Vector3.Cross(dir, e2);
                float det = Vector3.Dot(e1, pv);
                if (MathF.Abs(det) < 1e-12f) continue;
                float inv = 1 / det;
                var tv = origin - a;
                float bu = Vector3.Dot(tv, pv) * inv;
                if (bu < 0 || bu > 1) continue;
                var qv = Vector3.Cross(tv, e1);
                float bv = Vector3.Dot(dir, qv) * inv;
                if (bv < 0 || bu + bv > 1) continue;
                float hit = Vector3.Dot(e2, qv) * inv;
                if (hit > 1e-4f && hit < length - 1e-3f) return false;
            }
            return true;
        }
    }
}
