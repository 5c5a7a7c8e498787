using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>
/// Refined motion-extractor outputs for a batch (the official <c>get_kp_info</c> with refine): angles in degrees,
/// keypoints and expressions reshaped to [B, K, 3].
/// </summary>
/// <param name="Pitch">[B] degrees</param>
/// <param name="Yaw">[B] degrees</param>
/// <param name="Roll">[B] degrees</param>
/// <param name="Translation">[B, 3]</param>
/// <param name="Expression">[B, K, 3] expression deformation δ.</param>
/// <param name="Scale">[B, 1]</param>
/// <param name="CanonicalKeypoints">[B, K, 3] x_c</param>
public sealed record MotionInfo(Tensor Pitch, Tensor Yaw, Tensor Roll, Tensor Translation, Tensor Expression, Tensor Scale,
    Tensor CanonicalKeypoints) : IDisposable
{
    public static MotionInfo FromOutput(MotionExtractorOutput output)
    {
        long b = output.Keypoints.shape[0];
        return new MotionInfo(HeadPose.BinsToDegrees(output.Pitch), HeadPose.BinsToDegrees(output.Yaw), HeadPose.BinsToDegrees(output.Roll),
            output.Translation.alias(), output.Expression.reshape(b, -1, 3), output.Scale.alias(), output.Keypoints.reshape(b, -1, 3));
    }

    /// <summary>[B, 3, 3] rotation of the head pose.</summary>
    public Tensor Rotation() => HeadPose.RotationMatrix(Pitch, Yaw, Roll);

    public void Dispose()
    {
        Pitch.Dispose(); Yaw.Dispose(); Roll.Dispose(); Translation.Dispose(); Expression.Dispose(); Scale.Dispose(); CanonicalKeypoints.Dispose();
    }
}
