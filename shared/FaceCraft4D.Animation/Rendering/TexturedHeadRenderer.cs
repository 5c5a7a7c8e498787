using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Animation.Rendering;

/// <summary>
/// Renders the posed head with its appearance (<see cref="HeadAppearance"/>): the Vision z-buffer rasterizer at
/// Supersampling x the camera's resolution (nearest triangle per sample, perspective-correct barycentrics), each
/// covered sample coloured by its triangle's material, background elsewhere, then box-filtered down; the mask is the
/// filtered coverage. No lighting: the texture already holds the observed shading.
/// </summary>
public static class TexturedHeadRenderer
{
    /// <summary>Renders one frame.</summary>
    public static RenderedFrame Render(TriangleMesh mesh, HeadAppearance appearance, Camera camera, FrameRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(appearance);
        ArgumentNullException.ThrowIfNull(camera);
        var o = options ?? new FrameRenderOptions();
        int s = Math.Max(1, o.Supersampling);
        var fine = s == 1 ? camera : camera.Resized(camera.Width * s, camera.Height * s);
        var fragments = MeshRasterizer.Rasterize(mesh, fine);
        var image = new RgbImage(fragments.Width, fragments.Height);
        var background = new Vector3(o.Background);
        Parallel.For(0, fragments.Height, y =>
        {
            for (int x = 0; x < fragments.Width; x++)
            {
                int p = y * fragments.Width + x, t = fragments.TriangleIds[p];
                image[x, y] = t < 0
                    ? background
                    : appearance.Colour(t, fragments.Barycentrics[3 * p], fragments.Barycentrics[3 * p + 1], fragments.Barycentrics[3 * p + 2]);
            }
        });
        return new RenderedFrame(image.Downsample(s), fragments.CoverageMask().Downsample(s));
    }
}
