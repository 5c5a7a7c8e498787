using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.ImagePrior;
using FaceCraft4D.Vision.Rendering;
using Xunit;

namespace FaceCraft4D.Vision.Tests.ImagePrior;

/// <summary>
/// The warp blend's shading of the uncovered strip (<see cref="UncoveredStripShading"/>, s28) on a flat square seen head-on:
/// only uncovered head pixels change, by the floor when the portrait camera sees the square edge-on, not at all when it
/// sees it squarely.
/// </summary>
public sealed class UncoveredStripShadingTests
{
    private const int Size = 16;

    private static Camera At(double yaw) => OrbitCameras.CreateAtYaw(new OrbitCameraOptions { Width = Size, Height = Size, Radius = 1, FovYDegrees = 20 }, yaw);

    [Theory]
    [InlineData(0.0, 1.0)]  // the portrait camera is the view's: the square faces it, no shading
    [InlineData(90.0, 0.6)] // edge-on to the portrait camera: the floor
    public void Only_uncovered_head_pixels_are_shaded_by_their_facing_to_the_portrait_camera(double portraitYaw, double expectedShade)
    {
        var coarse = RgbImage.Filled(Size, Size, new System.Numerics.Vector3(0.5f, 0.4f, 0.3f));
        var head = new FloatImage(Size, Size);
        var soft = new FloatImage(Size, Size);
        var depth = new float[Size * Size];
        for (int y = 0; y < Size; y++)
        for (int x = 0; x < Size; x++)
        {
            bool inHead = x >= 2 && x < Size - 2 && y >= 2 && y < Size - 2;
            head[x, y] = inHead ? 1 : 0;
            depth[y * Size + x] = inHead ? 1f : 0f;  // a plane at camera depth 1: its normal points at the view's camera
            soft[x, y] = x < Size / 2 ? 1f : 0f;     // the left half covered by the warp
        }
        var options = new WarpBlendOptions { ShadeUncovered = true };

        var shaded = UncoveredStripShading.Shade(coarse, head, soft, new DepthMap(Size, Size, depth), At(0), At(portraitYaw), options, out int count);

        Assert.Equal(coarse[4, 8], shaded[4, 8]);   // covered: unchanged
        Assert.Equal(coarse[0, 8], shaded[0, 8]);   // background: unchanged
        Assert.Equal(coarse[15, 8], shaded[15, 8]);
        Assert.Equal(expectedShade * coarse[10, 8].X, shaded[10, 8].X, 3);
        Assert.Equal(expectedShade * coarse[12, 5].Z, shaded[12, 5].Z, 3);
        Assert.Equal(expectedShade < 1 ? (Size / 2 - 2) * (Size - 4) : 0, count);
    }
}
