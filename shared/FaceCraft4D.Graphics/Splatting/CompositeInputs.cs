using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>Everything the compositing kernels read (tensors are not owned).</summary>
internal sealed class CompositeInputs
{
    /// <summary>[N, 2] pixel centres.</summary>
    public required Tensor Means2d { get; init; }

    /// <summary>[N, 3] conics (a, b, c).</summary>
    public required Tensor Conics { get; init; }

    /// <summary>[N] opacities.</summary>
    public required Tensor Opacities { get; init; }

    /// <summary>[N, D] features (RGB, depth, ...).</summary>
    public required Tensor Features { get; init; }

    /// <summary>[D] background feature.</summary>
    public required Tensor Background { get; init; }

    /// <summary>[N, 2] int32 per-axis pixel radii (beyond them alpha is below the skip threshold).</summary>
    public required Tensor Radii { get; init; }

    /// <summary>Depth-sorted tile lists.</summary>
    public required TileBins Bins { get; init; }

    /// <summary>Compositing thresholds.</summary>
    public required RasterizerOptions Options { get; init; }

    /// <summary>Feature channels D.</summary>
    public long Channels => Features.shape[1];
}

/// <summary>Gradients of the compositing step with respect to its differentiable inputs.</summary>
internal sealed record CompositeGradients(Tensor Means2d, Tensor Conics, Tensor Opacities, Tensor Features);

/// <summary>One implementation of front-to-back compositing over tile lists, forward and analytic backward.</summary>
internal interface ICompositorKernel
{
    /// <summary>
    /// Composites features: image [H, W, D] (background included), alpha [H, W] and optionally a per-pixel state the
    /// kernel's backward needs (kernel-defined layout; saved for backward), or null.
    /// </summary>
    (Tensor Image, Tensor Alpha, Tensor? PixelState) Forward(CompositeInputs inputs);

    /// <summary>
    /// Gradients given the forward outputs and the gradients of the loss with respect to them.
    /// Skip/stop decisions are identical to the forward's.
    /// </summary>
    CompositeGradients Backward(CompositeInputs inputs, Tensor image, Tensor alpha, Tensor? pixelState, Tensor gradImage, Tensor gradAlpha);
}
