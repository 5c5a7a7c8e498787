using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Graphics.Export;

/// <summary>Settings of <see cref="AvatarExporter"/> (bindable from configuration).</summary>
public sealed class AvatarExportOptions
{
    /// <summary>Write the turntable preview (PNG frames and GIF).</summary>
    public bool WriteTurntable { get; set; } = true;

    /// <summary>Turntable cameras (ViewCount frames; defaults: 36 frames at 256 px on the pipeline's orbit).</summary>
    public OrbitCameraOptions Turntable { get; set; } = new() { ViewCount = 36, Width = 256, Height = 256 };

    /// <summary>Preview background colour (RGB in [0, 1]).</summary>
    public double[] Background { get; set; } = { 1.0, 1.0, 1.0 };

    /// <summary>GIF frame delay in hundredths of a second.</summary>
    public int GifFrameDelay { get; set; } = 8;
}
