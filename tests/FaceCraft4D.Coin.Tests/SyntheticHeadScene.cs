using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin.Tests;

/// <summary>
/// A known avatar: Gaussians bound to a coarse procedural FLAME-format head, one per triangle, with a smooth colour pattern
/// of the canonical position (bands of different frequency per channel) and high opacity; orbit cameras around it.
/// </summary>
internal sealed class SyntheticHeadScene : IDisposable
{
    public SyntheticHeadScene(int size = 40, int viewCount = 8, bool fullHead = false)
    {
        Data = ProceduralHeadModel.Create(fullHead ? null : new ProceduralHeadOptions
        {
            AzimuthSegments = 32, CrownRows = 5, NeckRows = 3, EyeballSubdivisions = 1, MouthHalfWidthSegments = 5,
        });
        Flame = new FlameModel(Data);
        using var scope = torch.NewDisposeScope();
        Shape = torch.zeros(1, Data.ShapeCount).DetachFromDisposeScope();
        Truth = FlameGaussianAvatar.Create(Flame, Shape, localScale: 0.7);
        using (torch.no_grad())
        {
            var centres = CanonicalPositions.Of(Truth);
            var rgb = torch.stack([
                torch.sin(centres[.., 0].Times(45).Plus(0.3)), torch.sin(centres[.., 1].Times(30).Plus(1.1)), torch.sin(centres[.., 2].Times(38).Plus(centres[.., 1].Times(20))),
            ], 1).Times(0.35).Plus(0.5);
            Truth.Parameters.ShDc.copy_(SphericalHarmonics.RgbToDc(rgb).unsqueeze(1));
            Truth.Parameters.OpacityLogits.FilledWith(4f);
            var v = Truth.Vertices();
            var lo = v.amin(0).data<float>().ToArray();
            var hi = v.amax(0).data<float>().ToArray();
            Centre = new Vector3d((lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0, (lo[2] + hi[2]) / 2.0);
        }
        Orbit = new OrbitCameraOptions
        {
            ViewCount = viewCount, Width = size, Height = size, Radius = 1.0, FovYDegrees = 18,
            TargetX = Centre.X, TargetY = Centre.Y, TargetZ = Centre.Z,
        };
        TrainingCameras = OrbitCameras.Create(Orbit);
        // Held out: half-way between the training views, and the same again 12 degrees above the horizon.
        var heldOut = new List<Camera>();
        for (int k = 0; k < viewCount; k++)
        {
            double yaw = (k + 0.5) * 360.0 / viewCount;
            heldOut.Add(OrbitCameras.CreateAtYaw(Orbit, yaw, $"held_{k:D2}"));
        }
        HeldOutCameras = heldOut;
    }

    public FlameModelData Data { get; }

    public FlameModel Flame { get; }

    public Tensor Shape { get; }

    public FlameGaussianAvatar Truth { get; }

    public Vector3d Centre { get; }

    public OrbitCameraOptions Orbit { get; }

    public IReadOnlyList<Camera> TrainingCameras { get; }

    public IReadOnlyList<Camera> HeldOutCameras { get; }

    public GaussianRasterizer Rasterizer { get; } = new();

    /// <summary>The clean ground-truth image [H, W, 3] over white (detached).</summary>
    public Tensor Render(Camera camera, Tensor? colours = null, FlameParameters? frame = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var g = Truth.Evaluate(frame);
        if (colours is not null) g = g.WithColors(colours);
        return Rasterizer.Render(g, camera, torch.ones(3)).Image.detach().MoveToOuterDisposeScope();
    }

    /// <summary>Where the truth covers the image [H, W] (alpha above one half), for metrics over the head only.</summary>
    public Tensor Coverage(Camera camera)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var alpha = Rasterizer.Render(Truth.Evaluate(), camera, torch.ones(3)).Alpha;
        return alpha.IsGreaterThan(0.5).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>The truth's colours [N, 3] (SH degree 0).</summary>
    public Tensor Colours()
    {
        using var noGrad = torch.no_grad();
        return SphericalHarmonics.DcToRgb(Truth.Parameters.ShDc.squeeze(1)).detach();
    }

    public void Dispose()
    {
        Truth.Dispose();
        Shape.Dispose();
        Flame.Dispose();
        Data.Dispose();
    }
}
