using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>
/// Every step of one <see cref="FlameModel.Evaluate"/> (smplx <c>lbs</c> names in brackets; tensors belong to the
/// caller's dispose scope). B batch, V vertices, J = 5 joints, L landmarks (K contour + static).
/// </summary>
public sealed class FlameEvaluation
{
    /// <summary>Shape then expression coefficients, zero-padded to the model's S and E [B, S+E] (<c>betas</c>).</summary>
    public required Tensor Betas { get; init; }

    /// <summary>Axis-angle pose [B, 15]: global, neck, jaw, left eye, right eye (<c>full_pose</c>).</summary>
    public required Tensor FullPose { get; init; }

    /// <summary>Blendshape offsets [B, V, 3] (<c>blend_shapes(betas, shapedirs)</c>).</summary>
    public required Tensor ShapeOffsets { get; init; }

    /// <summary>Template plus shape offsets [B, V, 3] (<c>v_shaped</c>).</summary>
    public required Tensor ShapedVertices { get; init; }

    /// <summary>Rest joints regressed from the shaped mesh [B, J, 3] (<c>J</c>).</summary>
    public required Tensor RestJoints { get; init; }

    /// <summary>Joint rotations [B, J, 3, 3] (<c>rot_mats</c>).</summary>
    public required Tensor Rotations { get; init; }

    /// <summary>(R_j - I) of joints 1..J-1, row-major [B, 9 (J-1)] (<c>pose_feature</c>).</summary>
    public required Tensor PoseFeature { get; init; }

    /// <summary>Pose-corrective offsets [B, V, 3] (<c>pose_offsets</c>).</summary>
    public required Tensor PoseOffsets { get; init; }

    /// <summary>Shaped vertices plus pose correctives [B, V, 3] (<c>v_posed</c>).</summary>
    public required Tensor PosedRestVertices { get; init; }

    /// <summary>Relative joint transforms [B, J, 4, 4] (<c>A</c>, <c>rel_transforms</c>).</summary>
    public required Tensor RelativeTransforms { get; init; }

    /// <summary>Posed joints [B, J, 3], without translation (<c>J_transformed</c>).</summary>
    public required Tensor PosedJoints { get; init; }

    /// <summary>Skinned vertices [B, V, 3], without translation (<c>lbs()[0]</c>).</summary>
    public required Tensor SkinnedVertices { get; init; }

    /// <summary>Skinned vertices plus translation [B, V, 3].</summary>
    public required Tensor Vertices { get; init; }

    /// <summary>Landmarks [B, L, 3] (contour first when used), plus translation.</summary>
    public required Tensor Landmarks { get; init; }

    /// <summary>Yaw in degrees [B] that chose the contour row (null without the contour).</summary>
    public Tensor? ContourYawDegrees { get; init; }

    /// <summary>Contour table row [B] (int64; null without the contour).</summary>
    public Tensor? ContourTableRow { get; init; }

    /// <summary>Contour faces [B, K] (int64; null without the contour).</summary>
    public Tensor? ContourFaces { get; init; }

    /// <summary>Contour barycentric coordinates [B, K, 3] (null without the contour).</summary>
    public Tensor? ContourBarycentrics { get; init; }
}
