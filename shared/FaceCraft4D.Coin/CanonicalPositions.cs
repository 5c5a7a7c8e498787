using FaceCraft4D.Graphics.Avatar;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin;

/// <summary>Canonical-frame Gaussian centres, the input of the position embedding e_g.</summary>
public static class CanonicalPositions
{
    /// <summary>World-space means [N, 3] of the avatar in its canonical frame (FLAME: zero expression and pose), no gradient.</summary>
    public static Tensor Of(IGaussianAvatar avatar)
    {
        ArgumentNullException.ThrowIfNull(avatar);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return avatar.Evaluate().Means.detach().MoveToOuterDisposeScope();
    }
}
