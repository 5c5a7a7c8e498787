using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.ImagePrior;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.Tests.Stages;

/// <summary>Small hand-made inputs of an image-prior backend (16 px gradients, flat depth, no warp).</summary>
public static class EnhancementInputs
{
    /// <summary>View 1 of a 4-view orbit enhanced from <paramref name="reference"/> with nothing warped, one DDIM step (25 x 0.04).</summary>
    public static ViewEnhancementInput Input(RgbImage reference, RgbImage coarse)
    {
        int size = reference.Width;
        var camera = OrbitCameras.Create(new OrbitCameraOptions { ViewCount = 4, Width = size, Height = size })[1];
        var depth = new DepthMap(size, size, Enumerable.Repeat(1f, size * size).ToArray());
        var anchor = new AnchorView("reference", reference, depth, camera);
        var none = new FloatImage(size, size, new float[size * size]);
        var warped = new WarpedView(reference, none, none, new FloatImage(size / 8, size / 8, new float[size * size / 64]), new int[size * size]);
        // One DDIM step: the target starts from its own inversion, which equals the reference's when the images are equal.
        return new ViewEnhancementInput(1, anchor, [anchor], camera, coarse, depth, none, warped, DiffusionSteps: 25, DiffusionStrength: 0.04, Seed: 3);
    }

    /// <summary>A colour gradient; <paramref name="offset"/> shifts it.</summary>
    public static RgbImage Gradient(int size, float offset)
    {
        var image = new RgbImage(size, size);
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                image[x, y] = new Vector3((x / (float)size + offset) % 1f, y / (float)size, offset);
        return image;
    }
}
