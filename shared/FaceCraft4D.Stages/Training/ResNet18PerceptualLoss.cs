using FaceCraft4D.Coin;
using FaceCraft4D.Vision.Perceptual.ResNet18;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// COIN's perceptual loss from ImageNet ResNet-18 features (<see cref="ResNet18FeatureDistance"/>: unit-normalised
/// relu1, layer1..layer4 activations, mean squared difference, no learned heads), the learned loss used when the LPIPS
/// weights are absent. The weights come from <c>ResNet18.onnx</c> of the NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (MIT; <see cref="ResNet18OnnxLocator"/>); the network is frozen and
/// gradients flow to the rendered image only. The mask weights the positions of every tap.
/// </summary>
public sealed class ResNet18PerceptualLoss : IPerceptualLoss, IDisposable
{
    /// <summary>The name recorded in results.</summary>
    public const string BackendName = "resnet18-features";

    private readonly ResNet18FeatureDistance distance;

    /// <summary>Wraps a distance (taking ownership).</summary>
    public ResNet18PerceptualLoss(ResNet18FeatureDistance distance) => this.distance = distance ?? throw new ArgumentNullException(nameof(distance));

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public Tensor Loss(Tensor rendered, Tensor target, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        ArgumentNullException.ThrowIfNull(target);
        if (rendered.ndim != 3 || rendered.shape[2] != 3 || !rendered.shape.SequenceEqual(target.shape))
            throw new ArgumentException("Expected two [H, W, 3] images of the same size.");
        using var scope = torch.NewDisposeScope();
        var a = rendered.permute(2, 0, 1).unsqueeze(0);          // [1, 3, H, W]
        var b = target.detach().permute(2, 0, 1).unsqueeze(0);   // [1, 3, H, W]
        var m = mask?.detach().unsqueeze(0).unsqueeze(0);        // [1, 1, H, W]
        return distance.Distance(a, b, m).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The unit-normalised taps of a fixed target [H, W, 3] in [0, 1] (no gradients; the caller owns them), for
    /// <see cref="Loss(Tensor, IReadOnlyList{Tensor}, Tensor?)"/>.
    /// </summary>
    public Tensor[] TargetFeatures(Tensor target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.ndim != 3 || target.shape[2] != 3) throw new ArgumentException("Expected an [H, W, 3] image.", nameof(target));
        using var scope = torch.NewDisposeScope();
        var features = distance.TargetFeatures(target.detach().permute(2, 0, 1).unsqueeze(0)); // taps [1, C, h, w]
        foreach (var f in features) f.MoveToOuterDisposeScope();
        return features;
    }

    /// <summary>The loss against a target whose taps <see cref="TargetFeatures"/> computed: only the render goes through the network.</summary>
    public Tensor Loss(Tensor rendered, IReadOnlyList<Tensor> targetFeatures, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        if (rendered.ndim != 3 || rendered.shape[2] != 3) throw new ArgumentException("Expected an [H, W, 3] image.", nameof(rendered));
        using var scope = torch.NewDisposeScope();
        var a = rendered.permute(2, 0, 1).unsqueeze(0);          // [1, 3, H, W]
        var m = mask?.detach().unsqueeze(0).unsqueeze(0);        // [1, 1, H, W]
        var (d, taps) = distance.Compare(a, targetFeatures, m);
        foreach (var t in taps) t.Dispose();
        return d.mean().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => distance.Dispose();
}
