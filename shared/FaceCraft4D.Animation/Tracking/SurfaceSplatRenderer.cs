using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Tracking;

/// <summary>
/// The tracker's differentiable renderer: flat 3D Gaussians attached to the mesh triangles (GaussianAvatars' binding
/// idea), rendered with the Graphics library's differentiable 3D Gaussian splatting rasterizer. Splat i sits at fixed
/// barycentric weights b_i in triangle f_i, so its centre sum_k b_ik v_f_i,k is a differentiable function of the posed
/// vertices (and through FLAME of the tracked parameters); its rotation is the triangle's frame
/// (<see cref="TriangleFrames"/>: the normal is the thin axis), its scales SplatScale x k in-plane and 0.05 x that
/// along the normal (k the triangle's frame scale), its opacity SplatOpacity, its colour the head appearance at that
/// point (texture or mouth palette). Rotations and scales follow the mesh but carry no gradient; the gradient reaches
/// the vertices through the centres (colour edges and the silhouette against the white background).
/// </summary>
public sealed class SurfaceSplatRenderer
{
    private readonly Tensor sampleFaces;   // [N] int64
    private readonly Tensor barycentrics;  // [N, 3]
    private readonly Tensor faces;         // [F, 3] int64
    private readonly int[] sampleFaceIds;
    private readonly float[] sampleWeights;
    private readonly double scale, opacity;
    private readonly GaussianRasterizer rasterizer;
    private readonly Tensor background;
    private readonly Tensor alwaysKeep;    // [F] bool: triangles kept whatever their orientation

    /// <summary>Facing cosine below which a triangle counts as turned away from the camera.</summary>
    private const double CullMargin = 0.15;

    /// <summary>Creates the splat layout for triangles <paramref name="faceIndices"/> [F * 3].</summary>
    /// <param name="faceIndices">Triangles [F * 3].</param>
    /// <param name="orientedFaceCount">Triangles before this index form a closed outward-facing surface and are culled when
    /// turned away from the camera; later ones (teeth, mouth cavity) are always rendered.</param>
    /// <param name="splatsPerTriangle">1, 3 or 4.</param>
    /// <param name="splatScale">In-plane standard deviation in triangle frame scales.</param>
    /// <param name="splatOpacity">Opacity of every splat.</param>
    /// <param name="device">Device of the tensors.</param>
    /// <param name="rasterizerOptions">Rasterizer settings.</param>
    public SurfaceSplatRenderer(int[] faceIndices, int orientedFaceCount, int splatsPerTriangle, double splatScale, double splatOpacity, Device device, RasterizerOptions? rasterizerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(faceIndices);
        float[][] pattern = splatsPerTriangle switch
        {
            1 => [[1f / 3, 1f / 3, 1f / 3]],
            3 => [[2f / 3, 1f / 6, 1f / 6], [1f / 6, 2f / 3, 1f / 6], [1f / 6, 1f / 6, 2f / 3]],
            4 => [[1f / 3, 1f / 3, 1f / 3], [0.7f, 0.15f, 0.15f], [0.15f, 0.7f, 0.15f], [0.15f, 0.15f, 0.7f]],
            _ => throw new ArgumentOutOfRangeException(nameof(splatsPerTriangle), "1, 3 or 4 splats per triangle."),
        };
        int f = faceIndices.Length / 3;
        sampleFaceIds = new int[f * pattern.Length];
        sampleWeights = new float[f * pattern.Length * 3];
        for (int t = 0; t < f; t++)
            for (int s = 0; s < pattern.Length; s++)
            {
                int i = t * pattern.Length + s;
                sampleFaceIds[i] = t;
                pattern[s].CopyTo(sampleWeights, 3 * i);
            }
        Device = device;
        faces = torch.tensor(faceIndices.Select(i => (long)i).ToArray(), [f, 3], ScalarType.Int64, device).DetachFromDisposeScope();
        sampleFaces = torch.tensor(sampleFaceIds.Select(i => (long)i).ToArray(), ScalarType.Int64, device).DetachFromDisposeScope();
        barycentrics = torch.tensor(sampleWeights, [sampleFaceIds.Length, 3], ScalarType.Float32, device).DetachFromDisposeScope();
        scale = splatScale / Math.Sqrt(pattern.Length);
        opacity = splatOpacity;
        rasterizer = new GaussianRasterizer(rasterizerOptions ?? new RasterizerOptions());
        background = torch.ones(3, ScalarType.Float32, device).DetachFromDisposeScope();
        alwaysKeep = HeldScalarOps.Arange(f, ScalarType.Int64, device).IsAtLeast(orientedFaceCount).DetachFromDisposeScope();
        Count = sampleFaceIds.Length;
    }

    /// <summary>Number of splats N.</summary>
    public int Count { get; }

    /// <summary>Device of the splat tensors.</summary>
    public Device Device { get; }

    /// <summary>Colours [N, 3] of the splats under an appearance (fixed per video).</summary>
    public Tensor Colours(HeadAppearance appearance)
    {
        ArgumentNullException.ThrowIfNull(appearance);
        var colours = new float[Count * 3];
        Parallel.For(0, Count, i =>
        {
            var c = appearance.Colour(sampleFaceIds[i], sampleWeights[3 * i], sampleWeights[3 * i + 1], sampleWeights[3 * i + 2]);
            colours[3 * i] = c.X;
            colours[3 * i + 1] = c.Y;
            colours[3 * i + 2] = c.Z;
        });
        return torch.tensor(colours, [Count, 3], ScalarType.Float32, Device);
    }

    /// <summary>
    /// Renders posed vertices [V, 3] with splat colours [N, 3]: image [H, W, 3] over white and alpha [H, W]. Every
    /// intermediate tensor belongs to the caller's dispose scope, which must stay open until backward has run (the
    /// rasterizer's autograd node refers to its outputs); use both outputs in the loss.
    /// </summary>
    public (Tensor Image, Tensor Alpha) Render(Tensor vertices, Tensor colours, Camera camera)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        ArgumentNullException.ThrowIfNull(camera);
        var v = vertices.to(ScalarType.Float32);
        Tensor quaternions, scales, keep;
        using (torch.no_grad())
        {
            var frames = TriangleFrames.Compute(v.detach(), faces);
            // Splats on triangles facing away from the camera are hidden by the near side of the head: dropped
            // (a margin keeps the silhouette); the mouth interior faces every way and is always kept.
            var normals = frames.Rotations.select(2, 2); // [F, 3]
            var toCamera = camera.PositionTensor(Device, ScalarType.Float32) - frames.Centers;
            var facing = (normals * toCamera).sum(1) / toCamera.norm(1).ClampedMin(1e-9);
            var visibleFace = facing.IsGreaterThan(-CullMargin).logical_or(alwaysKeep);
            keep = visibleFace.index_select(0, sampleFaces).nonzero().squeeze(1);
            var kept = sampleFaces.index_select(0, keep);
            quaternions = frames.Quaternions().index_select(0, kept);
            var k = frames.Scales.index_select(0, kept).ClampedMin(1e-6).unsqueeze(1); // [N', 1]
            scales = k * torch.tensor(new[] { (float)scale, (float)scale, (float)(0.05 * scale) }, ScalarType.Float32, Device);
        }
        var keptFaces = sampleFaces.index_select(0, keep);
        long n = keep.shape[0];
        var corners = v.index_select(0, faces.index_select(0, keptFaces).flatten()).view(n, 3, 3); // [N', 3 corners, 3]
        var means = (corners * barycentrics.index_select(0, keep).unsqueeze(-1)).sum(1); // [N', 3]
        var gaussians = new SplatGaussians
        {
            Means = means,
            Quaternions = quaternions,
            Scales = scales,
            Opacities = HeldScalarOps.Hold(opacity.ToScalar(), held => torch.full(n, held, ScalarType.Float32, Device)),
            Colors = colours.index_select(0, keep),
        };
        var output = rasterizer.Render(gaussians, camera, background);
        return (output.Image, output.Alpha);
    }
}
