using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.Template;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>
/// Which surface points of a synthetic head take the portrait's pixels: the side of the neck behind the jaw contour, seen
/// at a grazing angle from the portrait camera, must not (it took the jaw's edge and shadow, the doubled jaw of the side
/// views), while the front of the neck, the face and the hair keep their observations.
/// </summary>
public sealed class ProjectiveHeadTextureTests
{
    private static readonly Vector3 Shadow = new(0.2f, 0.1f, 0.05f);

    // Camera 1 m in front of the head (model frame: +y up, face toward +z), looking at the origin.
    private static readonly Camera Portrait = Camera.LookAt(CameraIntrinsics.FromVerticalFov(64, 64, 20),
        new Vector3d(0, 0, 1), Vector3d.Zero, Vector3d.UnitY);

    private static ProjectiveHeadTexture Texture(Vector3 visiblePoint, HeadTextureOptions options, FloatImage? faceOutline = null)
    {
        var portrait = RgbImage.Filled(64, 64, Shadow);
        var mask = new FloatImage(64, 64, Enumerable.Repeat(1f, 64 * 64).ToArray());
        // Every pixel's depth is the tested point's: nothing occludes it.
        var (_, _, z) = Portrait.Project(new Vector3d(visiblePoint.X, visiblePoint.Y, visiblePoint.Z));
        var depth = new DepthMap(64, 64, Enumerable.Repeat((float)z, 64 * 64).ToArray());
        var regions = new HeadRegions(SyntheticFaceLandmarks.Metres(), options);
        var colours = new HeadColours(new Vector3(0.8f, 0.6f, 0.5f), new Vector3(0.4f, 0.3f, 0.2f), 0.1f, new Vector3(0.7f, 0.5f, 0.4f), true);
        return new ProjectiveHeadTexture(portrait, mask, Portrait, depth, regions, colours, 1, options, faceOutline);
    }

    /// <summary>A unit normal at <paramref name="p"/> whose cosine with the direction to the portrait camera is <paramref name="cos"/>, turned sideways (+x).</summary>
    private static Vector3 NormalAt(Vector3 p, double cos)
    {
        var toCamera = Vector3.Normalize(new Vector3(0, 0, 1) - p);
        var side = Vector3.Normalize(Vector3.Cross(Vector3.UnitY, toCamera)); // horizontal, perpendicular to the ray
        if (side.X < 0) side = -side;
        return Vector3.Normalize((float)cos * toCamera + (float)Math.Sqrt(1 - cos * cos) * side);
    }

    [Fact]
    public void Side_of_the_neck_behind_the_jaw_does_not_take_the_portrait_at_a_grazing_angle()
    {
        // Below the chin (y -0.09 < -0.08), 8 cm behind it and beside the neck's axis: the neck region behind the contour.
        var p = new Vector3(0.05f, -0.09f, 0.0f);
        var n = NormalAt(p, 0.45);
        var options = new HeadTextureOptions();
        var regions = new HeadRegions(SyntheticFaceLandmarks.Metres(), options);
        Assert.Equal(1f, regions.BehindFaceOutline(p), 3);
        Assert.True(regions.Weights(p).Hair < 0.01f);

        var (colour, weight) = Texture(p, options).ObserveDirect(p, n);
        Assert.Equal(0f, weight);
        Assert.Equal(Vector3.Zero, colour);
        // Before (the face's ramp everywhere): the same point took the jaw's shadow with most of the weight.
        var before = Texture(p, new HeadTextureOptions { BehindFaceFacingMin = -1 }).ObserveDirect(p, n);
        Assert.True(before.Weight > 0.6f, $"weight before {before.Weight:F3}");
        Assert.Equal(Shadow, before.Colour);
        // Facing the camera squarely (cos 0.95), the same point is the front of the neck: it keeps the portrait.
        Assert.True(Texture(p, options).DirectWeight(p, NormalAt(p, 0.95)) > 0.99f);
    }

    [Theory]
    [InlineData(0.05f, -0.02f, 0.07f)] // cheek in front of the jaw contour
    [InlineData(0.07f, 0.0f, -0.05f)] // hair behind the ear, above the nape line
    public void Face_and_hair_keep_the_face_facing_ramp(float x, float y, float z)
    {
        var p = new Vector3(x, y, z);
        var n = NormalAt(p, 0.45);
        float now = Texture(p, new HeadTextureOptions()).DirectWeight(p, n);
        float before = Texture(p, new HeadTextureOptions { BehindFaceFacingMin = -1 }).DirectWeight(p, n);
        Assert.True(before > 0.6f, $"weight {before:F3}");
        Assert.Equal(before, now, 5);
    }

    [Theory]
    [InlineData(0.055f, 0.015f, 0.06f, true)] // temple beside the eye, in front of the jaw contour, below the brows
    [InlineData(0.04f, -0.03f, 0.08f, true)] // cheek beside the mouth
    [InlineData(0.0f, 0.075f, 0.09f, false)] // forehead above the brows: outside the 2D outline, keeps the portrait
    [InlineData(0.07f, 0.0f, -0.05f, false)] // hair behind the ear
    public void Face_skin_below_the_brows_takes_only_face_pixels(float x, float y, float z, bool faceSkin)
    {
        var p = new Vector3(x, y, z);
        var n = NormalAt(p, 0.8);
        var regions = new HeadRegions(SyntheticFaceLandmarks.Metres(), new HeadTextureOptions());
        Assert.Equal(faceSkin ? 1f : 0f, regions.FaceSkinBelowBrows(p), 3);
        var outside = new FloatImage(64, 64);                                            // the point's pixel is beside the face
        var inside = new FloatImage(64, 64, Enumerable.Repeat(1f, 64 * 64).ToArray()); // the point's pixel is on the face
        var on = new HeadTextureOptions { FaceSkinFromFaceOnly = true };
        var off = new HeadTextureOptions();
        float before = Texture(p, off, outside).DirectWeight(p, n);
        Assert.True(before > 0.9f, $"weight without the rule {before:F3}");
        // Beside the face: the face's skin takes nothing (the completion colours it); other regions keep their weight.
        Assert.Equal(faceSkin ? 0f : before, Texture(p, on, outside).DirectWeight(p, n), 5);
        // On the face the rule changes nothing.
        Assert.Equal(Texture(p, off, inside).DirectWeight(p, n), Texture(p, on, inside).DirectWeight(p, n), 5);
    }
}
