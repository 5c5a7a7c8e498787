using FaceCraft4D.Vision.Preprocessing.Camera;
using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Tests;

public sealed class HeadPoseTests
{
    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(25, -10, 5)]
    [InlineData(-40, 15, -8)]
    [InlineData(10, 20, 12)]
    public void Recovers_yaw_pitch_roll_of_a_projected_generic_face(double yaw, double pitch, double roll)
    {
        const int size = 512;
        var options = new CameraOptions();
        double f = HeadPoseEstimator.FocalFromFov(options.FovDegrees, size);
        var p = new[] { yaw * Math.PI / 180, pitch * Math.PI / 180, roll * Math.PI / 180, 12.0, -30.0, 1500.0 };
        var rng = new Random(3);
        var xy = new float[136];
        for (int i = 0; i < 68; i++)
        {
            var (u, v) = HeadPoseEstimator.Project(MeanFace3D.Points[i], p, f, size / 2.0 - 0.5, size / 2.0 - 0.5);
            xy[2 * i] = (float)(u + (rng.NextDouble() - 0.5) * 0.6); // +-0.3 px noise
            xy[2 * i + 1] = (float)(v + (rng.NextDouble() - 0.5) * 0.6);
        }
        var est = new HeadPoseEstimator(options).Estimate(new FaceLandmarks68(xy), size, size);
        Assert.InRange(est.YawDegrees - yaw, -0.5, 0.5);
        Assert.InRange(est.PitchDegrees - pitch, -0.5, 0.5);
        Assert.InRange(est.RollDegrees - roll, -0.5, 0.5);
        Assert.InRange(est.TranslationZ, 1450, 1550);
        Assert.True(est.ReprojectionRmsPixels < 0.5);
        Assert.Equal(13.37, est.FovDegrees);
        Assert.Equal(f, est.FocalLengthPixels, 6);
    }

    [Fact]
    public void Positive_yaw_moves_the_nose_towards_the_image_right()
    {
        var p0 = new[] { 0.0, 0, 0, 0, 0, 1000 };
        var p1 = new[] { 0.3, 0, 0, 0, 0, 1000 };
        var nose = MeanFace3D.Points[30];
        var eyeMid = (X: 0.0, Y: 36.0, Z: -27.0);
        double shift0 = HeadPoseEstimator.Project(nose, p0, 1000, 0, 0).U - HeadPoseEstimator.Project(eyeMid, p0, 1000, 0, 0).U;
        double shift1 = HeadPoseEstimator.Project(nose, p1, 1000, 0, 0).U - HeadPoseEstimator.Project(eyeMid, p1, 1000, 0, 0).U;
        Assert.True(shift1 > shift0 + 5);
    }
}
