using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>What the animator keeps of a source image: feature volume f_s, its motion info and keypoints x_s.</summary>
/// <param name="Feature">[1, 32, 16, 64, 64]</param>
/// <param name="Motion">Source pose, expression, scale, translation, canonical keypoints.</param>
/// <param name="Keypoints">[1, K, 3] x_s</param>
public sealed record SourcePortrait(Tensor Feature, MotionInfo Motion, Tensor Keypoints) : IDisposable
{
    public void Dispose()
    {
        Feature.Dispose();
        Motion.Dispose();
        Keypoints.Dispose();
    }
}
