namespace FaceCraft4D.Metrics.Protocol;

/// <summary>A named static evaluation view (camera yaw/pitch, see <see cref="CameraSpec"/>).</summary>
public sealed class StaticViewOptions
{
    public string Name { get; set; } = "";

    public double YawDegrees { get; set; }

    public double PitchDegrees { get; set; }
}
