using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>LivePortrait implicit-keypoint transform (paper Eq. 2): x = s·(x_c·R + δ) + t, with t_z ignored.</summary>
public static class KeypointTransform
{
    /// <param name="canonical">[B, K, 3] x_c</param>
    /// <param name="rotation">[B, 3, 3] (right-multiplied)</param>
    /// <param name="expression">[B, K, 3] δ</param>
    /// <param name="scale">[B, 1] s</param>
    /// <param name="translation">[B, 3] t (only x, y used)</param>
    /// <returns>[B, K, 3]</returns>
    public static Tensor Apply(Tensor canonical, Tensor rotation, Tensor expression, Tensor scale, Tensor translation)
    {
        using var scope = NewDisposeScope();
        long b = canonical.shape[0];
        var x = (canonical.matmul(rotation).Plus(expression)) * scale.reshape(b, 1, 1);
        var txy = torch.cat([translation[.., 0..2], torch.zeros([b, 1], translation.dtype, translation.device)], 1);
        return x.Plus(txy.unsqueeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>x_s of a source: the transform with its own pose, expression, scale and translation.</summary>
    public static Tensor Source(MotionInfo info)
    {
        using var rotation = info.Rotation();
        return Apply(info.CanonicalKeypoints, rotation, info.Expression, info.Scale, info.Translation);
    }
}
