using FaceCraft4D.Priors.LivePortrait;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Video;

/// <summary>
/// The <c>liveportrait</c> video prior: LivePortrait (relative-expression mode, the source head pose kept) animates a
/// source view with a driving signal made from the clip. Mapping from the clip to LivePortrait: the clip animates the
/// subject's own fitted head (rig backend), which is rendered from the reference (frontal) camera as a driving video;
/// LivePortrait's motion extractor turns those frames into expression keypoint offsets relative to the first frame
/// (Δ_i = exp_i − exp_0, <see cref="LivePortraitAnimator.ExtractDrivingMotion"/>), and the same offsets drive every
/// source view, so all views are synchronised frame by frame.
/// </summary>
public static class LivePortraitVideo
{
    /// <summary>Animates <paramref name="source"/> with the driving frames; returns frames of <paramref name="outputSize"/> pixels.</summary>
    /// <param name="animator">Loaded LivePortrait.</param>
    /// <param name="source">The source view (any size; resized to <paramref name="networkSize"/>).</param>
    /// <param name="driving">Driving frames (the rig-animated head seen from the reference camera).</param>
    /// <param name="networkSize">Input side of the networks (256 for the official weights).</param>
    /// <param name="outputSize">Side of the returned frames.</param>
    /// <param name="options">Stitching, multiplier, batching.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public static IReadOnlyList<RgbImage> Animate(LivePortraitAnimator animator, RgbImage source, IReadOnlyList<RgbImage> driving,
        int networkSize, int outputSize, LivePortraitAnimationOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(animator);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(driving);
        if (driving.Count == 0) throw new ArgumentException("No driving frames.", nameof(driving));
        using var scope = torch.NewDisposeScope();
        var device = animator.Networks.Device;
        var sourceTensor = ToTensor([source], networkSize).to(device); // [1, 3, S, S]
        var drivingTensor = ToTensor(driving, networkSize).to(device); // [T, 3, S, S]
        using var motion = animator.ExtractDrivingMotion(drivingTensor, cancellationToken: cancellationToken);
        var frames = animator.Animate(sourceTensor, motion, options, cancellationToken: cancellationToken); // [T, 3, H, W]
        var result = new List<RgbImage>(driving.Count);
        for (int t = 0; t < frames.shape[0]; t++)
        {
            var hwc = frames[t].permute(1, 2, 0).Clamped(0, 1).to(ScalarType.Float32).cpu().contiguous();
            var image = new RgbImage((int)hwc.shape[1], (int)hwc.shape[0], hwc.data<float>().ToArray());
            result.Add(image.Width == outputSize && image.Height == outputSize ? image : image.Resize(outputSize, outputSize));
        }
        return result;
    }

    /// <summary>Images to a [N, 3, size, size] tensor in [0, 1].</summary>
    public static Tensor ToTensor(IReadOnlyList<RgbImage> images, int size)
    {
        ArgumentNullException.ThrowIfNull(images);
        var data = new float[images.Count * 3 * size * size];
        int plane = size * size;
        for (int n = 0; n < images.Count; n++)
        {
            var img = images[n].Width == size && images[n].Height == size ? images[n] : images[n].Resize(size, size);
            for (int i = 0; i < plane; i++)
                for (int c = 0; c < 3; c++)
                    data[(n * 3 + c) * plane + i] = img.Data[3 * i + c];
        }
        return torch.tensor(data, [images.Count, 3, size, size]);
    }
}
