using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Training;

/// <summary>One supervised image: camera, target image and, for animated avatars, the FLAME frame it shows.</summary>
public sealed class TrainingView
{
    /// <summary>The camera (its resolution must match the image).</summary>
    public required Camera Camera { get; init; }

    /// <summary>Target colours [H, W, 3] in [0, 1] on the training device.</summary>
    public required Tensor Image { get; init; }

    /// <summary>Optional weight/mask [H, W] (1 = supervised) restricting the photometric loss.</summary>
    public Tensor? Mask { get; init; }

    /// <summary>FLAME parameters of this image (batch 1); null = canonical (static views).</summary>
    public FlameParameters? Frame { get; init; }

    /// <summary>Index of the view or video frame (e.g. for a per-view embedding in a colour hook).</summary>
    public int Index { get; init; }

    /// <summary>Optional name.</summary>
    public string? Name { get; init; }
}
