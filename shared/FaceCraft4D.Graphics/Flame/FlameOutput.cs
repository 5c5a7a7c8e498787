using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>Result of <see cref="FlameModel.Forward"/> (tensors belong to the caller's dispose scope).</summary>
public sealed class FlameOutput
{
    /// <summary>Posed vertices [B, V, 3].</summary>
    public required Tensor Vertices { get; init; }

    /// <summary>Posed joint locations [B, 5, 3].</summary>
    public required Tensor Joints { get; init; }

    /// <summary>3D landmarks [B, L, 3] from the barycentric embedding.</summary>
    public required Tensor Landmarks { get; init; }

    /// <summary>Shaped (unposed) vertices [B, V, 3]: template plus identity and expression blendshapes.</summary>
    public required Tensor ShapedVertices { get; init; }
}
