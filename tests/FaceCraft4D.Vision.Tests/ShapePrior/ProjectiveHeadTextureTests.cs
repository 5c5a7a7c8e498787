using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.Template;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>Which surface points take the portrait's colour in the template prior's projective texture.</summary>
public sealed class ProjectiveHeadTextureTests
{
    private const int Size = 64;

    /// <summary>
    /// A red portrait seen by a camera 2 m in front of the origin on +z; every pixel is foreground at depth 2 m; with
    /// <paramref name="faceEverywhere"/> every pixel is inside the portrait's face outline. The landmarks put the origin in
    /// the skin region in front of the jaw contour (brows at y 0.05, chin at -0.1, contour and ears at z -0.1).
    /// </summary>
    private static ProjectiveHeadTexture RedPortrait(HeadTextureOptions options, bool faceEverywhere)
    {
        var camera = Camera.LookAt(CameraIntrinsics.FromVerticalFov(Size, Size, 20), new Vector3d(0, 0, 2), new Vector3d(0, 0, 0), new Vector3d(0, 1, 0));
        var depth = new DepthMap(Size, Size, Enumerable.Repeat(2f, Size * Size).ToArray());
        var ones = Enumerable.Repeat(1f, Size * Size).ToArray();
        var landmarks = new float[68 * 3];
        for (int i = 0; i < 68; i++)
        {
            landmarks[3 * i] = i <= 16 ? 0.07f * (i - 8) / 8 : 0;
            landmarks[3 * i + 1] = i == 8 ? -0.1f : i is >= 17 and <= 26 ? 0.05f : 0;
            landmarks[3 * i + 2] = -0.1f;
        }
        var regions = new HeadRegions(landmarks, options);
        Assert.Equal(1f, regions.Weights(Vector3.Zero).Skin, 5);
        var colours = new HeadColours(new Vector3(0.8f, 0.6f, 0.5f), new Vector3(0.3f, 0.25f, 0.2f), 0, new Vector3(0.7f, 0.55f, 0.45f), true);
        return new ProjectiveHeadTexture(RgbImage.Filled(Size, Size, new Vector3(1, 0, 0)), new FloatImage(Size, Size, ones), camera, depth, regions,
            colours, 1, options, faceEverywhere ? new FloatImage(Size, Size, (float[])ones.Clone()) : null);
    }

    /// <summary>A unit normal making angle acos(<paramref name="cos"/>) with the direction to the camera (+z), tilted about y.</summary>
    private static Vector3 Normal(double cos) => new((float)Math.Sqrt(1 - cos * cos), 0, (float)cos);

    [Fact]
    public void Grazing_face_points_take_no_portrait_colour_and_are_completed_from_the_region_colour()
    {
        var options = new HeadTextureOptions();
        var face = RedPortrait(options, faceEverywhere: true);
        var point = Vector3.Zero;

        // Head-on and above FaceFacingFull: the portrait alone.
        Assert.Equal(1f, face.DirectWeight(point, Normal(0.95)), 5);
        Assert.Equal(1f, face.DirectWeight(point, Normal(options.FaceFacingFull + 0.01)), 5);
        // Below the grazing threshold (cos 0.35 and 0.3: the face's outline on the side of the head): no portrait at all,
        // directly or through the mirrored point (which sees the camera at the same angle here).
        foreach (double cos in new[] { 0.35, 0.3, options.FaceFacingMin - 0.01, 0.1 })
        {
            Assert.Equal(0f, face.DirectWeight(point, Normal(cos)));
            var colour = face.Colour(point, Normal(cos));
            var region = face.RegionColour(point);
            Assert.True(Vector3.Distance(colour, region) < 1e-5f, $"cos {cos}: colour {colour} is not the region colour {region}");
        }
        // In between, the weight rises monotonically.
        float previous = 0;
        for (double cos = options.FaceFacingMin; cos <= options.FaceFacingFull; cos += 0.02)
        {
            float w = face.DirectWeight(point, Normal(cos));
            Assert.True(w >= previous - 1e-6f, $"weight falls at cos {cos:F2}");
            previous = w;
        }

        // With a looser FacingMin (0.25, the rule before implementation 3) only the face keeps the strict one: outside the face
        // (hair, the silhouette of the reference view) cos 0.35 still sees the portrait.
        var loose = new HeadTextureOptions { FacingMin = 0.25, FacingFull = 0.55 };
        Assert.Equal(0f, RedPortrait(loose, faceEverywhere: true).DirectWeight(point, Normal(0.35)));
        var hair = RedPortrait(loose, faceEverywhere: false);
        Assert.True(hair.DirectWeight(point, Normal(0.35)) > 0.1f);
        Assert.Equal(0f, hair.DirectWeight(point, Normal(0.24)));
        Assert.Equal(0f, RedPortrait(options, faceEverywhere: false).DirectWeight(point, Normal(0.35)));
    }

    [Fact]
    public void Points_behind_the_portrait_depth_buffer_take_no_portrait_colour()
    {
        var options = new HeadTextureOptions();
        var texture = RedPortrait(options, faceEverywhere: true);
        // The depth buffer holds 2 m (the origin); a point 5 cm behind it is occluded, 3 mm behind it is within the tolerance.
        Assert.Equal(0f, texture.DirectWeight(new Vector3(0, 0, -0.05f), Normal(1)));
        Assert.Equal(1f, texture.DirectWeight(new Vector3(0, 0, -0.003f), Normal(1)), 5);
    }
}
