namespace FaceCraft4D.Stages.Evaluation;

/// <summary>
/// One render of an avatar's contact sheet: a camera yaw about the head (degrees, <see cref="Metrics.Protocol.CameraSpec"/>
/// convention: positive = camera toward the subject's left) at pitch 0.
/// </summary>
public sealed record ContactSheetView(string Name, double YawDegrees)
{
    /// <summary>The sheet's views in tile order after the input photo: 0, +30, −30, +60, −60 and 180 degrees.</summary>
    public static IReadOnlyList<ContactSheetView> Standard { get; } =
    [
        new("yaw+0", 0), new("yaw+30", 30), new("yaw-30", -30), new("yaw+60", 60), new("yaw-60", -60), new("yaw180", 180),
    ];
}
