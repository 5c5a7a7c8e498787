using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Vision.ShapePrior;

/// <summary>
/// The pipeline's orbit: the reference camera turned around a vertical (world +y) axis through a pivot in the
/// head. View k is turned by k * 360 / N degrees; positive angles move the camera toward +x (the subject's left),
/// as in <see cref="OrbitCameras"/>. View 0 is the reference camera itself, so the reference portrait and view 0
/// share one camera; every view keeps the reference's distance, height, tilt and intrinsics.
/// </summary>
public static class OrbitViews
{
    /// <summary>The N orbit cameras at <paramref name="size"/> x <paramref name="size"/> pixels, named <c>orbit_00</c>, ...</summary>
    public static IReadOnlyList<Camera> AroundVerticalAxis(Camera reference, Vector3d pivot, int count, int size)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count));
        var resized = reference.Resized(size, size);
        return Enumerable.Range(0, count)
            .Select(k => Turned(resized, pivot, 360.0 * k / count) with { Name = $"orbit_{k:D2}" })
            .ToArray();
    }

    /// <summary>The camera turned by <paramref name="degrees"/> around the vertical axis through <paramref name="pivot"/>.</summary>
    public static Camera Turned(Camera camera, Vector3d pivot, double degrees)
    {
        ArgumentNullException.ThrowIfNull(camera);
        double a = degrees * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
        Vector3d Turn(Vector3d v) => new(c * v.X + s * v.Z, v.Y, -s * v.X + c * v.Z);
        var e = camera.Extrinsics;
        // The camera axes (world coordinates) and the centre turn with the rotation.
        var position = pivot + Turn(e.Position - pivot);
        return camera with { Extrinsics = CameraExtrinsics.FromAxes(Turn(e.Right), Turn(e.Down), Turn(e.Forward), position) };
    }
}
