using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Graphics.Tests;

public sealed class CameraTests
{
    [Fact]
    public void Frontal_orbit_view_follows_the_OpenCV_convention()
    {
        var cam = OrbitCameras.Create(new OrbitCameraOptions { Width = 200, Height = 100, Radius = 2, FovYDegrees = 30 })[0];
        var e = cam.Extrinsics;
        AssertVec(new Vector3d(1, 0, 0), e.Right);
        AssertVec(new Vector3d(0, -1, 0), e.Down);
        AssertVec(new Vector3d(0, 0, -1), e.Forward);
        AssertVec(new Vector3d(0, 0, 2), cam.Position);
        var centre = cam.Project(Vector3d.Zero);
        Assert.Equal(100, centre.U, 9);
        Assert.Equal(50, centre.V, 9);
        Assert.Equal(2, centre.Depth, 9);
        Assert.True(cam.Project(new Vector3d(0, 0.1, 0)).V < 50, "world up is image up");
        Assert.True(cam.Project(new Vector3d(0.1, 0, 0)).U > 100, "+x (the subject's left) is image right in the frontal view");
        Assert.Equal(0.5 * 100 / Math.Tan(15 * Math.PI / 180), cam.Intrinsics.Fy, 9);
        Assert.Equal(30, cam.Intrinsics.FovYDegrees, 9);
    }

    [Fact]
    public void Orbit_has_evenly_spaced_views_on_the_horizon()
    {
        var opts = new OrbitCameraOptions { ViewCount = 24, Radius = 1.5, TargetY = 0.02 };
        var cams = OrbitCameras.Create(opts);
        Assert.Equal(24, cams.Count);
        Assert.Equal("orbit_00", cams[0].Name);
        for (int k = 0; k < 24; k++)
        {
            var p = cams[k].Position;
            double yaw = Math.Atan2(p.X, p.Z) * 180 / Math.PI;
            double expected = k * 15.0;
            Assert.True(Math.Abs(Math.IEEERemainder(yaw - expected, 360)) < 1e-9, $"view {k}: yaw {yaw}");
            Assert.Equal(1.5, new Vector3d(p.X, p.Y - 0.02, p.Z).Length, 9);
            Assert.Equal(0.02, p.Y, 9);
            var t = cams[k].Project(new Vector3d(0, 0.02, 0));
            Assert.Equal(opts.Width / 2.0, t.U, 6);
            Assert.Equal(opts.Height / 2.0, t.V, 6);
        }
        AssertVec(new Vector3d(1.5, 0.02, 0), cams[6].Position); // 90 degrees: the subject's left side
    }

    [Fact]
    public async Task Camera_sets_round_trip_through_json()
    {
        var set = new CameraSet(OrbitCameras.Create(new OrbitCameraOptions { ViewCount = 3 }));
        var json = set.ToJson();
        Assert.Contains("\"worldToCamera\"", json);
        Assert.Contains(CameraSet.OpenCvConvention, json);
        var back = CameraSet.FromJson(json);
        Assert.Equal(3, back.Cameras.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(set.Cameras[i].Intrinsics, back.Cameras[i].Intrinsics);
            Assert.Equal(set.Cameras[i].Extrinsics.WorldToCamera, back.Cameras[i].Extrinsics.WorldToCamera);
            Assert.Equal(set.Cameras[i].Name, back.Cameras[i].Name);
        }
        using var ms = new MemoryStream();
        await set.WriteAsync(ms);
        ms.Position = 0;
        Assert.Equal(3, (await CameraSet.ReadAsync(ms)).Cameras.Count);
        Assert.Throws<InvalidDataException>(() => CameraSet.FromJson(json.Replace(CameraSet.OpenCvConvention, "opengl")));
    }

    private static void AssertVec(Vector3d expected, Vector3d actual)
    {
        Assert.True((expected - actual).Length < 1e-9, $"expected {expected}, got {actual}");
    }
}
