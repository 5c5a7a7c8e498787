using FaceCraft4D.Priors.Modules;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>LivePortrait head-pose conversions (the official <c>utils/camera.py</c>).</summary>
public static class HeadPose
{
    /// <summary>Pose bins [B, 66] → degrees [B]: softmax-weighted bin index · 3 − 97.5.</summary>
    public static Tensor BinsToDegrees(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var probabilities = nn.functional.softmax(logits, 1);
        var index = HeldScalarOps.Arange(logits.shape[1], logits.dtype, logits.device);
        return (probabilities * index).sum([1]).Times(3).Minus(97.5).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Rotation from Euler angles in degrees (pitch about x, yaw about y, roll about z): (Rz·Ry·Rx)ᵀ, the matrix that
    /// right-multiplies row-vector keypoints. [B] each → [B, 3, 3].
    /// </summary>
    public static Tensor RotationMatrix(Tensor pitchDegrees, Tensor yawDegrees, Tensor rollDegrees)
    {
        using var scope = NewDisposeScope();
        var x = pitchDegrees.reshape(-1).Times(Math.PI / 180);
        var y = yawDegrees.reshape(-1).Times(Math.PI / 180);
        var z = rollDegrees.reshape(-1).Times(Math.PI / 180);
        var one = torch.ones_like(x);
        var zero = torch.zeros_like(x);
        long b = x.shape[0];
        var rx = torch.stack([one, zero, zero, zero, x.cos(), -x.sin(), zero, x.sin(), x.cos()], 1).reshape(b, 3, 3);
        var ry = torch.stack([y.cos(), zero, y.sin(), zero, one, zero, -y.sin(), zero, y.cos()], 1).reshape(b, 3, 3);
        var rz = torch.stack([z.cos(), -z.sin(), zero, z.sin(), z.cos(), zero, zero, zero, one], 1).reshape(b, 3, 3);
        return rz.matmul(ry).matmul(rx).transpose(1, 2).MoveToOuterDisposeScope();
    }
}
