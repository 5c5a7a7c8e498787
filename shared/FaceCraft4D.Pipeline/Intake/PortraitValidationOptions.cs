using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.Pipeline.Intake;

/// <summary>Configuration section <c>Fc4d:Uploads</c>: limits checked before any run starts.</summary>
public sealed class PortraitValidationOptions
{
    public const string SectionName = "Fc4d:Uploads";

    /// <summary>Largest accepted upload in bytes (default 20 MiB).</summary>
    [Range(1, long.MaxValue)] public long MaxBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Largest accepted image in pixels (width x height), checked from the header before decoding.</summary>
    [Range(1, long.MaxValue)] public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Longest accepted side in pixels.</summary>
    [Range(1, 100_000)] public int MaxSide { get; set; } = 12_000;

    /// <summary>Shortest accepted side in pixels (a face must be resolvable).</summary>
    [Range(1, 10_000)] public int MinSide { get; set; } = 128;

    /// <summary>Full image decodes allowed at the same time in one process (each holds a pixel buffer of up to <see cref="MaxPixels"/> x 3 bytes).</summary>
    [Range(1, 256)] public int MaxConcurrentDecodes { get; set; } = 4;

    /// <summary>How long a decode waits for a free slot before the upload is refused with 503 (reason <c>busy</c>).</summary>
    public TimeSpan DecodeWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Ask a GPU worker's face detector before a run starts (refuses photos without a usable face with 422).</summary>
    public bool ScreenFaces { get; set; } = true;
}
