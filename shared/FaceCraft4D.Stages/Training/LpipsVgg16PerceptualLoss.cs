using FaceCraft4D.Coin;
using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// LPIPS v0.1 with the VGG-16 trunk as COIN's perceptual loss: the vision library's <see cref="LpipsNetwork"/> (the
/// <c>lpips</c> package's parameter names) with the one LPIPS weights file (<see cref="LpipsWeights"/>). Images [H, W, 3] in [0, 1] are mapped to
/// [-1, 1]; the network is frozen (gradients flow to the image only). The mask is not used (LPIPS is an image-level distance).
/// </summary>
public sealed class LpipsVgg16PerceptualLoss : IPerceptualLoss, IDisposable
{
    /// <summary>The name recorded in results.</summary>
    public const string BackendName = "lpips-vgg16";

    private readonly LpipsNetwork network;

    /// <summary>Wraps a network with loaded weights (taking ownership); moves it to <paramref name="device"/> and freezes it.</summary>
    public LpipsVgg16PerceptualLoss(LpipsNetwork network, Device device)
    {
        this.network = network ?? throw new ArgumentNullException(nameof(network));
        network.to(device).eval();
        foreach (var p in network.parameters()) p.requires_grad_(false);
    }

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public Tensor Loss(Tensor rendered, Tensor target, Tensor? mask = null)
    {
        using var scope = torch.NewDisposeScope();
        var a = rendered.permute(2, 0, 1).unsqueeze(0).Times(2).Minus(1);
        var b = target.detach().permute(2, 0, 1).unsqueeze(0).Times(2).Minus(1);
        return network.Distance(a, b).mean().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => network.Dispose();
}
