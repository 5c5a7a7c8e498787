using System.Numerics;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.Rendering;
using TorchSharp;

namespace FaceCraft4D.Animation.Tests;

/// <summary>
/// A synthetic subject with known ground truth: the built-in procedural head (a FLAME-format model) with a seeded
/// random identity, a procedural texture with structure at several scales (so the photometric term has gradients),
/// and orbit cameras around it.
/// </summary>
public sealed class SyntheticHead : IDisposable
{
    public SyntheticHead(int seed = 3, int textureSize = 256)
    {
        Model = ProceduralHeadModel.Create();
        var random = new Random(seed);
        Shape = Enumerable.Range(0, Model.ShapeCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        Head = new AnimatableHead(Model, Model.Name, Shape, FlameFrame.Zero(Model.ExpressionCount), null, torch.CPU);
        Texture = PatternTexture(textureSize, seed);
        Appearance = Head.Appearance(Texture);
        var neutral = Head.NeutralMesh();
        var (min, max) = Head.Surface(neutral).Bounds();
        Centre = new Vector3d((min.X + max.X) / 2, (min.Y + max.Y) / 2 + 0.01, (min.Z + max.Z) / 2);
        HeadSize = Vector3.Distance(min, max);
    }

    public FlameModelData Model { get; }

    public float[] Shape { get; }

    public AnimatableHead Head { get; }

    public RgbImage Texture { get; }

    public HeadAppearance Appearance { get; }

    public Vector3d Centre { get; }

    /// <summary>Diagonal of the head surface's bounding box (metres).</summary>
    public double HeadSize { get; }

    /// <summary>A camera 1 m from the head centre at a yaw (degrees, positive toward the subject's left), fov 16.</summary>
    public Camera CameraAt(double yawDegrees, int size) => OrbitCameras.CreateAtYaw(
        new OrbitCameraOptions { Radius = 1.0, FovYDegrees = 16, Width = size, Height = size, TargetX = Centre.X, TargetY = Centre.Y, TargetZ = Centre.Z },
        yawDegrees, $"yaw_{yawDegrees:F0}");

    /// <summary>Texture: skin-like base colour modulated by bands and spots in UV space, plus darker "lips" and "brows" bands.</summary>
    private static RgbImage PatternTexture(int size, int seed)
    {
        var random = new Random(seed * 7 + 1);
        var spots = Enumerable.Range(0, 60).Select(_ => (X: random.NextDouble(), Y: random.NextDouble(), R: 0.01 + 0.03 * random.NextDouble(), D: random.NextDouble() * 0.4 - 0.2)).ToArray();
        var image = new RgbImage(size, size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double u = (x + 0.5) / size, v = 1 - (y + 0.5) / size;
                double shade = 0.12 * Math.Sin(2 * Math.PI * 9 * u) * Math.Cos(2 * Math.PI * 7 * v) + 0.08 * Math.Sin(2 * Math.PI * 23 * (u + v));
                foreach (var s in spots)
                {
                    double dx = u - s.X, dy = v - s.Y;
                    if (dx * dx + dy * dy < s.R * s.R) shade += s.D;
                }
                var c = new Vector3(0.78f, 0.58f, 0.48f) * (float)(1 + shade);
                image[x, y] = Vector3.Clamp(c, Vector3.Zero, Vector3.One);
            }
        return image;
    }

    public void Dispose()
    {
        Head.Dispose();
        Model.Dispose();
    }
}
