using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>
/// FLAME's dynamic face contour (FLAME_PyTorch <c>_find_dynamic_lmk_idx_and_bcoords</c>): the 17 jaw-line landmarks
/// slide over the mesh as the head turns, so their faces come from a table row chosen by the head's yaw.
/// The yaw is that of <c>R = R_global @ R_neck</c>: <c>y = -atan2(-R[2,0], hypot(R[0,0], R[1,0]))</c> in degrees;
/// <c>a = round_half_even(min(y, 39))</c>; row <c>a</c> when a &gt;= 0, <c>39 - a</c> when -39 &lt;= a &lt; 0, else 78.
/// </summary>
public static class FlameFaceContour
{
    /// <summary>Rows of the contour table: 0..39 one way, 40..78 the other.</summary>
    public const int TableRows = 79;

    /// <summary>Largest yaw (degrees) with its own row.</summary>
    public const int MaxYawDegrees = 39;

    /// <summary>
    /// Yaw in degrees [B] of the neck-chain rotation, before clamping and rounding. globalRotation, neck: axis-angle [B, 3].
    /// </summary>
    public static Tensor YawDegrees(Tensor globalRotation, Tensor neck)
    {
        using var scope = torch.NewDisposeScope();
        // Chain [neck, global]: rel = R_k @ rel, starting from I, so R = R_global @ R_neck.
        var rGlobal = Rotations.AxisAngleToMatrix(globalRotation); // [B, 3, 3]
        var rNeck = Rotations.AxisAngleToMatrix(neck);
        var r = torch.bmm(rGlobal, rNeck);
        var r00 = r[.., 0, 0]; var r10 = r[.., 1, 0]; var r20 = r[.., 2, 0];
        var sy = torch.sqrt((r00 * r00).Plus(r10 * r10));
        var euler = torch.atan2(-r20, sy); // smplx rot_mat_to_euler
        return (-euler).Times(180.0).DividedBy(Math.PI).MoveToOuterDisposeScope();
    }

    /// <summary>Table row [B] (int64) of yaw degrees [B].</summary>
    public static Tensor TableRow(Tensor yawDegrees)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.round(yawDegrees.ClampedMax(MaxYawDegrees)).to(ScalarType.Int64); // half to even
        var negative = a.IsLessThan(0);
        var beyond = a.IsLessThan(-MaxYawDegrees);
        var negativeRow = torch.where(beyond, a.FullLike(2 * MaxYawDegrees), a.SubtractedFrom((long)MaxYawDegrees));
        return torch.where(negative, negativeRow, a).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The contour faces [B, K] (int64) and barycentric coordinates [B, K, 3] of rows [B] from the tables
    /// dynamic faces [R, K] and barycentrics [R, K, 3].
    /// </summary>
    public static (Tensor Faces, Tensor Barycentrics) Select(Tensor rows, Tensor dynamicFaces, Tensor dynamicBarycentrics) =>
        (dynamicFaces.index_select(0, rows), dynamicBarycentrics.index_select(0, rows));
}
