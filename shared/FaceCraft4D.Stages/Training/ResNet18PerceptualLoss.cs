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
/// gradients flow to the rendered image only. The mask weights the positions of every tap. With <see cref="Downsample"/>
/// k &gt; 1 the network sees the images (and the mask) average-pooled k x k (k^2 fewer network FLOPs and target taps); the
/// rasterizer and the photometric terms keep the full resolution.
/// </summary>
public sealed class ResNet18PerceptualLoss : IPerceptualLoss, IDisposable
{
    /// <summary>The name recorded in results.</summary>
    public const string BackendName = "resnet18-features";

    private readonly ResNet18FeatureDistance distance;

    /// <summary>Wraps a distance (taking ownership).</summary>
    /// <param name="distance">The ResNet-18 feature distance.</param>
    /// <param name="downsample">Average-pooling factor applied to the images and the mask before the network (1 = none).</param>
    public ResNet18PerceptualLoss(ResNet18FeatureDistance distance, int downsample = 1)
    {
        this.distance = distance ?? throw new ArgumentNullException(nameof(distance));
        ArgumentOutOfRangeException.ThrowIfLessThan(downsample, 1);
        Downsample = downsample;
    }

    /// <summary>The images' average-pooling factor before the network (1 = the network sees the images as given).</summary>
    public int Downsample { get; }

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
        var a = Pooled(rendered.permute(2, 0, 1).unsqueeze(0));          // [1, 3, H/k, W/k]
        var b = Pooled(target.detach().permute(2, 0, 1).unsqueeze(0));   // [1, 3, H/k, W/k]
        var m = PooledMask(mask);                                         // [1, 1, H/k, W/k]
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
        var features = distance.TargetFeatures(Pooled(target.detach().permute(2, 0, 1).unsqueeze(0))); // taps [1, C, h, w]
        foreach (var f in features) f.MoveToOuterDisposeScope();
        return features;
    }

    /// <summary>The loss against a target whose taps <see cref="TargetFeatures"/> computed: only the render goes through the network.</summary>
    public Tensor Loss(Tensor rendered, IReadOnlyList<Tensor> targetFeatures, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        if (rendered.ndim != 3 || rendered.shape[2] != 3) throw new ArgumentException("Expected an [H, W, 3] image.", nameof(rendered));
        using var scope = torch.NewDisposeScope();
        var a = Pooled(rendered.permute(2, 0, 1).unsqueeze(0));  // [1, 3, H/k, W/k]
        var m = PooledMask(mask);                                 // [1, 1, H/k, W/k]
        var (d, taps) = distance.Compare(a, targetFeatures, m);
        foreach (var t in taps) t.Dispose();
        return d.mean().MoveToOuterDisposeScope();
    }

    /// <summary>[1, C, H, W] -> [1, C, H/k, W/k] by k x k averages (<see cref="Downsample"/>; unchanged at 1).</summary>
    private Tensor Pooled(Tensor image) => Downsample == 1 ? image : torch.nn.functional.avg_pool2d(image, Downsample, Downsample);

    /// <summary>A [H, W] mask as [1, 1, H/k, W/k] (detached), or null.</summary>
    private Tensor? PooledMask(Tensor? mask) => mask is null ? null : Pooled(mask.detach().unsqueeze(0).unsqueeze(0));

    /// <inheritdoc />
    public void Dispose() => distance.Dispose();
}
