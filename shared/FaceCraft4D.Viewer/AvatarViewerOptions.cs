namespace FaceCraft4D.Viewer;

/// <summary>Viewer settings (configuration section <c>Viewer</c>).</summary>
public sealed class AvatarViewerOptions
{
    public const string SectionName = "Viewer";

    /// <summary>
    /// Folder with the vendored browser modules (<c>three.module.min.js</c>, <c>spark.module.min.js</c>, ...). Null: the
    /// build output's <c>fc4d-viewer/vendor</c> (copied at build time), else <c>infra/node/node_modules</c> of the
    /// repository the app runs from.
    /// </summary>
    public string? VendorPath { get; set; }

    /// <summary>Seconds between status polls while a run is in progress (the API's Retry-After wins when present).</summary>
    public double PollSeconds { get; set; } = 2;

    /// <summary>Start orbiting automatically once the avatar is shown.</summary>
    public bool AutoRotate { get; set; } = true;

    /// <summary>Degrees per second of the automatic orbit.</summary>
    public double AutoRotateDegreesPerSecond { get; set; } = 30;

    /// <summary>Play the first expression clip (<c>animation/index.json</c>) as soon as the avatar is shown.</summary>
    public bool AutoPlay { get; set; } = true;

    /// <summary>Background colour of the 3D view (CSS hex).</summary>
    public string Background { get; set; } = "#1b1e23";
}
