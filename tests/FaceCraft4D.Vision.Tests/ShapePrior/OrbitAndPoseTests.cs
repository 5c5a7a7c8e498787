using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.ShapePrior;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>Pose conventions and the orbit.</summary>
public sealed class OrbitAndPoseTests
{
    [Theory]
    [InlineData(0.0, 0.0, 0.0)]
    [InlineData(25.0, -12.0, 7.0)]
    [InlineData(-60.0, 30.0, -20.0)]
    public void Pose_angles_axis_angle_and_extrinsics_round_trip(double yaw, double pitch, double roll)
    {
        var m = HeadPose.RotationFromAngles(yaw * Math.PI / 180, pitch * Math.PI / 180, roll * Math.PI / 180);
        var pose = new HeadPose(m, [0.01, -0.02, 1.5]);
        var (y, p, r) = pose.AnglesDegrees();
        Assert.Equal(yaw, y, 6);
        Assert.Equal(pitch, p, 6);
        Assert.Equal(roll, r, 6);
        var aa = HeadPose.AxisAngleFromRotation(m);
        var back = HeadPose.RotationFromAxisAngle(aa[0], aa[1], aa[2]);
        for (int i = 0; i < 9; i++) Assert.Equal(m[i], back[i], 9);
        var again = HeadPose.FromExtrinsics(pose.ToExtrinsics());
        for (int i = 0; i < 9; i++) Assert.Equal(m[i], again.Rotation[i], 12);
        Assert.Equal(pose.Translation, again.Translation);
    }

    [Fact]
    public void Positive_yaw_turns_the_nose_to_the_image_right()
    {
        var pose = new HeadPose(HeadPose.RotationFromAngles(20 * Math.PI / 180, 0, 0), [0, 0, 1.5]);
        var camera = new Camera(CameraIntrinsics.FromVerticalFov(256, 256, 13.37), pose.ToExtrinsics());
        var (noseU, _, _) = camera.Project(new Vector3d(0, 0, 0.1)); // nose tip, 10 cm in front of the head origin
        Assert.True(noseU > 128 + 5, $"nose at u = {noseU}");
        var (chinU, chinV, _) = camera.Project(new Vector3d(0, -0.1, 0.05));
        Assert.True(chinV > 128, $"chin below the centre (v = {chinV})");
    }

    [Fact]
    public void Orbit_turns_the_reference_camera_around_the_vertical_axis_through_the_pivot()
    {
        var reference = new Camera(CameraIntrinsics.FromVerticalFov(512, 512, 13.37),
            new HeadPose(HeadPose.RotationFromAngles(0.1, -0.2, 0.05), [0.01, 0.02, 1.6]).ToExtrinsics(), "reference");
        var pivot = new Vector3d(0, 0.01, -0.01);
        var views = OrbitViews.AroundVerticalAxis(reference, pivot, 8, 64);
        Assert.Equal(8, views.Count);
        Assert.Equal(64, views[0].Width);
        for (int i = 0; i < 16; i++) Assert.Equal(reference.Extrinsics.WorldToCamera[i], views[0].Extrinsics.WorldToCamera[i], 9);
        var d0 = reference.Position - pivot;
        for (int k = 0; k < 8; k++)
        {
            var d = views[k].Position - pivot;
            Assert.Equal(d0.Y, d.Y, 9); // same height
            Assert.Equal(Math.Sqrt(d0.X * d0.X + d0.Z * d0.Z), Math.Sqrt(d.X * d.X + d.Z * d.Z), 9); // same distance from the axis
            double turn = Math.Atan2(d0.Z * d.X - d0.X * d.Z, d0.X * d.X + d0.Z * d.Z) * 180 / Math.PI;
            Assert.Equal(Math.IEEERemainder(45.0 * k, 360), Math.IEEERemainder(turn, 360), 6);
            // The pivot projects to the same pixel in every view (the camera turns with the orbit).
            var (u0, v0, _) = views[0].Project(pivot);
            var (u, v, _) = views[k].Project(pivot);
            Assert.Equal(u0, u, 6);
            Assert.Equal(v0, v, 6);
        }
        Assert.Equal("orbit_04", views[4].Name);
    }

    [Fact]
    public void Level_views_near_the_front_move_to_the_level_elevation_and_keep_distance_bearing_and_aim()
    {
        // Reference 21 degrees above the pivot (the sample's fitted head pitch), looking at a point near the pivot.
        var pivot = new Vector3d(0, 0.01, -0.01);
        var eye = pivot + new Vector3d(0.05, 1.6 * Math.Sin(21 * Math.PI / 180), 1.6 * Math.Cos(21 * Math.PI / 180));
        var reference = Camera.LookAt(CameraIntrinsics.FromVerticalFov(512, 512, 13.37), eye, pivot + new Vector3d(0.01, -0.02, 0), Vector3d.UnitY, "reference");
        Assert.Equal(21, OrbitViews.ElevationDegrees(reference, pivot), 0);

        var level = OrbitViews.AtElevation(reference, pivot, 0);
        Assert.Equal(0, OrbitViews.ElevationDegrees(level, pivot), 9);
        Assert.Equal((reference.Position - pivot).Length, (level.Position - pivot).Length, 9);
        var d0 = reference.Position - pivot;
        var d1 = level.Position - pivot;
        Assert.Equal(Math.Atan2(d0.X, d0.Z), Math.Atan2(d1.X, d1.Z), 9); // same bearing
        var (u0, v0, _) = reference.Project(pivot);
        var (u1, v1, _) = level.Project(pivot);
        Assert.Equal(u0, u1, 6); // the pivot stays at the same pixel: the camera turned about it
        Assert.Equal(v0, v1, 6);
        // Camera axes stay orthonormal and the horizon stays (nearly) level: the reference's right axis is horizontal.
        var e = level.Extrinsics;
        Assert.Equal(1, e.Right.Length, 9);
        Assert.Equal(0, e.Right.Dot(e.Forward), 9);
        Assert.True(Math.Abs(e.Right.Y) < 0.01, $"right axis y = {e.Right.Y}");

        var views = OrbitViews.AroundVerticalAxis(reference, pivot, 8, 64, levelElevationDegrees: 0, levelWithinDegrees: 90);
        double r = OrbitViews.ElevationDegrees(reference, pivot);
        double[] expected = [r, 0, 0, r, r, r, 0, 0];
        for (int k = 0; k < 8; k++) Assert.Equal(expected[k], OrbitViews.ElevationDegrees(views[k], pivot), 6);
        for (int i = 0; i < 16; i++) Assert.Equal(reference.Extrinsics.WorldToCamera[i], views[0].Extrinsics.WorldToCamera[i], 9);
        // A level view is the level camera turned like the plain orbit.
        var plain = OrbitViews.AroundVerticalAxis(level, pivot, 8, 64);
        for (int i = 0; i < 16; i++) Assert.Equal(plain[1].Extrinsics.WorldToCamera[i], views[1].Extrinsics.WorldToCamera[i], 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => OrbitViews.AtElevation(reference, pivot, 90));
    }
}
