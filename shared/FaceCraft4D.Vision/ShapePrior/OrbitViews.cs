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

    /// <summary>
    /// The N orbit cameras as <see cref="AroundVerticalAxis"/>, except that the views turned at most
    /// <paramref name="levelWithinDegrees"/> from the reference (view 0 excepted: it is the photo's camera) are first
    /// raised or lowered to <paramref name="levelElevationDegrees"/> (<see cref="AtElevation"/>). The evaluation protocol and
    /// a viewer look at the head from its own level (elevation 0 in the head frame) while the portrait's camera may sit
    /// above or below it (the fitted head pitch); the side views nearest the face then cover both heights.
    /// </summary>
    public static IReadOnlyList<Camera> AroundVerticalAxis(Camera reference, Vector3d pivot, int count, int size,
        double levelElevationDegrees, double levelWithinDegrees)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count));
        var resized = reference.Resized(size, size);
        var level = AtElevation(resized, pivot, levelElevationDegrees);
        return Enumerable.Range(0, count)
            .Select(k =>
            {
                double turn = 360.0 * k / count;
                bool nearFront = k > 0 && Math.Min(turn, 360 - turn) <= levelWithinDegrees + 1e-9;
                return Turned(nearFront ? level : resized, pivot, turn) with { Name = $"orbit_{k:D2}" };
            })
            .ToArray();
    }

    /// <summary>Elevation (degrees, + = above) of the camera centre seen from <paramref name="pivot"/> (world +y up).</summary>
    public static double ElevationDegrees(Camera camera, Vector3d pivot)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var d = camera.Extrinsics.Position - pivot;
        return Math.Asin(Math.Clamp(d.Y / d.Length, -1, 1)) * 180 / Math.PI;
    }

    /// <summary>
    /// The camera moved on its sphere around <paramref name="pivot"/> to <paramref name="elevationDegrees"/>: a rotation
    /// about the horizontal axis through the pivot perpendicular to the camera's bearing, applied to its centre and axes
    /// (distance, aim relative to the pivot and intrinsics kept).
    /// </summary>
    public static Camera AtElevation(Camera camera, Vector3d pivot, double elevationDegrees)
    {
        ArgumentNullException.ThrowIfNull(camera);
        if (elevationDegrees is <= -89 or >= 89) throw new ArgumentOutOfRangeException(nameof(elevationDegrees), "Must lie within (-89, 89) degrees.");
        var e = camera.Extrinsics;
        var d = e.Position - pivot;
        var horizontal = new Vector3d(d.X, 0, d.Z);
        if (horizontal.Length < 1e-9) throw new ArgumentException("The camera is straight above or below the pivot.", nameof(camera));
        // Axis k = h x (+y) for the horizontal bearing h; Rodrigues' rotation by theta turns h toward +y.
        var k = horizontal.Normalized().Cross(Vector3d.UnitY);
        double theta = (elevationDegrees - ElevationDegrees(camera, pivot)) * Math.PI / 180, c = Math.Cos(theta), s = Math.Sin(theta);
        Vector3d Rotate(Vector3d v) => v * c + k.Cross(v) * s + k * (k.Dot(v) * (1 - c));
        return camera with { Extrinsics = CameraExtrinsics.FromAxes(Rotate(e.Right), Rotate(e.Down), Rotate(e.Forward), pivot + Rotate(d)) };
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
