using System.Globalization;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Vision.Video;

/// <summary>
/// Refuses a user video early, before anything is stored or tracked: size on disk first (no decoding), then ffprobe's
/// facts against <see cref="VideoLimits"/>. Throws <see cref="InvalidVideoException"/> with a reason code from
/// <see cref="VideoRefusals"/>, the HTTP status to answer and a message a user can act on.
/// </summary>
public sealed class VideoIntakeValidator(IVideoReader reader, IOptions<VideoLimits> limits)
{
    /// <summary>The facts of an acceptable video at <paramref name="path"/>, or an <see cref="InvalidVideoException"/>.</summary>
    public async Task<VideoFacts> ValidateAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var limit = limits.Value;
        var name = Path.GetFileName(path);
        var bytes = new FileInfo(path).Length;
        if (bytes > limit.MaxBytes)
        {
            throw new InvalidVideoException(VideoRefusals.TooLarge,
                $"'{name}' is {Mib(bytes)} MiB; videos may be at most {Mib(limit.MaxBytes)} MiB.", 413);
        }

        if (bytes == 0)
        {
            throw VideoRefusals.NotAVideoFile(name, "the file is empty");
        }

        var facts = await reader.ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        Check(facts, name, limit);
        return facts;
    }

    /// <summary>Checks probed <paramref name="facts"/> against <paramref name="limit"/> (the part without I/O).</summary>
    public static void Check(VideoFacts facts, string name, VideoLimits limit)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(limit);
        if (!limit.AllowedCodecs.Contains(facts.Codec, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidVideoException(VideoRefusals.UnsupportedCodec,
                $"'{name}' is encoded with '{facts.Codec}'; supported video codecs are {string.Join(", ", limit.AllowedCodecs)} " +
                "(phones record H.264 or H.265 MP4/MOV).", 422);
        }

        if (facts.Duration <= TimeSpan.Zero)
        {
            throw VideoRefusals.NotAVideoFile(name, "it has no duration");
        }

        if (facts.Duration.TotalSeconds > limit.MaxDurationSeconds)
        {
            throw new InvalidVideoException(VideoRefusals.TooLong,
                $"'{name}' lasts {Seconds(facts.Duration.TotalSeconds)} s; videos may last at most {Seconds(limit.MaxDurationSeconds)} s. Trim it and upload again.", 422);
        }

        if (Math.Min(facts.Width, facts.Height) < limit.MinSide)
        {
            throw new InvalidVideoException(VideoRefusals.TooSmall,
                $"'{name}' is {facts.Width}x{facts.Height}; both sides must be at least {limit.MinSide} pixels.", 422);
        }

        if (Math.Max(facts.Width, facts.Height) > limit.MaxSide)
        {
            throw new InvalidVideoException(VideoRefusals.TooLarge,
                $"'{name}' is {facts.Width}x{facts.Height}; the longer side may be at most {limit.MaxSide} pixels.", 422);
        }
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Seconds(double seconds) => seconds.ToString("0.#", CultureInfo.InvariantCulture);
}
