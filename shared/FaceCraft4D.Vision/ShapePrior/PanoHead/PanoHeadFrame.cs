using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// The similarity between the pipeline's world (the FLAME frame, metres) and the generator's world: both have +y up
/// and the face toward +z, so p_gen = Scale * (p - Origin). Chosen so that the reference camera sits at the
/// generator's training radius (2.7) from the origin, the orbit pivot: the portrait is then framed as the
/// generator's training images are (the crop's field of view is the generator's, 13.37 degrees).
/// </summary>
/// <param name="Origin">World point mapped to the generator's origin (the orbit pivot).</param>
/// <param name="Scale">Generator units per metre.</param>
public sealed record PanoHeadFrame(Vector3d Origin, double Scale)
{
    /// <summary>The frame that puts <paramref name="reference"/> at distance <paramref name="radius"/> from <paramref name="pivot"/>.</summary>
    public static PanoHeadFrame ForReference(Camera reference, Vector3d pivot, double radius)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return new PanoHeadFrame(pivot, radius / (reference.Position - pivot).Length);
    }

    /// <summary>The camera label [25] of a camera: cam2world (row-major) in generator units, then normalised intrinsics.</summary>
    public float[] Label(Camera camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var e = camera.Extrinsics;
        var p = (camera.Position - Origin) * Scale;
        Vector3d r = e.Right, d = e.Down, f = e.Forward;
        var k = camera.Intrinsics;
        return new[]
        {
            (float)r.X, (float)d.X, (float)f.X, (float)p.X,
            (float)r.Y, (float)d.Y, (float)f.Y, (float)p.Y,
            (float)r.Z, (float)d.Z, (float)f.Z, (float)p.Z,
            0f, 0f, 0f, 1f,
            (float)(k.Fx / k.Width), 0f, (float)(k.Cx / k.Width),
            0f, (float)(k.Fy / k.Height), (float)(k.Cy / k.Height),
            0f, 0f, 1f,
        };
    }

    /// <summary>
    /// Converts the generator's expected ray distance [r, r] (generator units, along unit rays through pixel centres
    /// of an r x r grid) and its opacity [r, r] into the camera's depth map (camera z in metres) at the camera's
    /// resolution: z = t / (Scale |k|) with k = ((u - cx) / fx, (v - cy) / fy, 1); upsampled bilinearly; 0 where the
    /// upsampled opacity is below one half.
    /// </summary>
    public (DepthMap Depth, FloatImage Mask) DepthAndMask(Tensor rayDistance, Tensor opacity, Camera camera)
    {
        ArgumentNullException.ThrowIfNull(rayDistance);
        ArgumentNullException.ThrowIfNull(opacity);
        ArgumentNullException.ThrowIfNull(camera);
        int r = (int)rayDistance.shape[^1];
        var t = rayDistance.reshape(r, r).to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var a = opacity.reshape(r, r).to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var k = camera.Intrinsics;
        var z = new float[r * r];
        for (int i = 0; i < r; i++)
        for (int j = 0; j < r; j++)
        {
            double u = (j + 0.5) / r * k.Width, v = (i + 0.5) / r * k.Height;
            double kx = (u - k.Cx) / k.Fx, ky = (v - k.Cy) / k.Fy;
            z[i * r + j] = (float)(t[i * r + j] / (Scale * Math.Sqrt(kx * kx + ky * ky + 1)));
        }
        var depth = new FloatImage(r, r, z).Resize(camera.Width, camera.Height);
        var mask = new FloatImage(r, r, a.Select(v => Math.Clamp(v, 0f, 1f)).ToArray()).Resize(camera.Width, camera.Height);
        for (int i = 0; i < depth.Data.Length; i++)
            if (mask.Data[i] < 0.5f) depth.Data[i] = 0;
        return (new DepthMap(camera.Width, camera.Height, depth.Data), mask);
    }
}
