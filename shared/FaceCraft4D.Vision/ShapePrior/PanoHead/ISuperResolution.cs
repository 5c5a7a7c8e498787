using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>A super-resolution module of the generator: raw rgb and features to the final image, driven by the last w.</summary>
public interface ISuperResolution
{
    /// <summary>Side the raw rgb and features are resized to before the blocks.</summary>
    int InputResolution { get; }

    /// <summary>Side of the output image.</summary>
    int OutputResolution { get; }

    /// <summary>rgb [N, 3, r, r], features [N, C, r, r], ws [N, num_ws, w] -> image [N, 3, R, R].</summary>
    Tensor Forward(Tensor rgb, Tensor features, Tensor ws, NoiseMode noiseMode);
}
