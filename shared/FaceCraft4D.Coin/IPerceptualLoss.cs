using static TorchSharp.torch;

namespace FaceCraft4D.Coin;

/// <summary>
/// The perceptual term of COIN, applied to the consistent render I_C (paper: LPIPS, weight 0.05). Implementations:
/// <see cref="StructuralPerceptualLoss"/> (no weights; the documented substitute) and, in the worker, LPIPS-VGG16 when its
/// converted weights are in the models store. <see cref="Name"/> is recorded in the job's result.
/// </summary>
public interface IPerceptualLoss
{
    /// <summary>Short name recorded in results (e.g. <c>lpips-vgg16</c>, <c>ms-structure</c>).</summary>
    string Name { get; }

    /// <summary>Scalar loss (0 = identical), differentiable in <paramref name="rendered"/>.</summary>
    /// <param name="rendered">Rendered image [H, W, 3] in [0, 1].</param>
    /// <param name="target">Target image [H, W, 3] in [0, 1].</param>
    /// <param name="mask">Optional weight [H, W] (1 = supervised); implementations may ignore it.</param>
    Tensor Loss(Tensor rendered, Tensor target, Tensor? mask = null);
}
