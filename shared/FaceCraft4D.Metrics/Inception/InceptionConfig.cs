namespace FaceCraft4D.Metrics.Inception;

/// <summary>
/// FID Inception-v3 shape. <see cref="WidthDivisor"/> 1 is the official network (2048-D pool3 features); larger divisors
/// shrink every conv width (for tests) while keeping layer names, kernels and strides. <see cref="InputSize"/> is the
/// side images are resized to (pytorch-fid: 299, bilinear, align_corners = false).
/// </summary>
public sealed record InceptionConfig(int WidthDivisor = 1, int InputSize = 299)
{
    public static InceptionConfig Official { get; } = new();

    internal int W(int channels) => Math.Max(1, channels / WidthDivisor);

    /// <summary>Length of the pool3 feature vector.</summary>
    public int FeatureSize => W(320) + 2 * W(384) + 2 * W(384) + W(192);

    internal void Validate()
    {
        if (WidthDivisor < 1) throw new ArgumentException("WidthDivisor must be at least 1.");
        if (InputSize < 75) throw new ArgumentException("Inception-v3 needs inputs of at least 75 x 75.");
    }
}
