namespace FaceCraft4D.Models.Download;

/// <summary>Configuration section <c>Fc4d:ModelsCli:Download</c>: retries and timeouts of weight downloads.</summary>
public sealed class ModelDownloadOptions
{
    public const string SectionName = "Fc4d:ModelsCli:Download";

    /// <summary>Attempts per file (a dropped connection resumes with an HTTP Range request).</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>First retry delay; doubles on every further attempt.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Time without a single byte after which an attempt is abandoned (and resumed).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Copy buffer size.</summary>
    public int BufferSize { get; set; } = 1 << 20;
}
