using FFMpegCore;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Vision.Video;

/// <summary>
/// Locates <c>ffmpeg</c> and <c>ffprobe</c> from <see cref="FfmpegOptions.FfmpegPath"/> or <c>PATH</c>, once, with a clear
/// error when either is missing, and hands FFMpegCore per-call options (never its global ones).
/// </summary>
public sealed class FfmpegBinaries
{
    private readonly Lazy<(string Ffmpeg, string Ffprobe)> _paths;

    /// <summary>Creates the locator; nothing is looked up until first use.</summary>
    public FfmpegBinaries(IOptions<FfmpegOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.FfmpegPath;
        _paths = new Lazy<(string, string)>(() => Locate(configured, Environment.GetEnvironmentVariable("PATH") ?? ""));
    }

    /// <summary>Full path of the ffmpeg executable.</summary>
    public string Ffmpeg => _paths.Value.Ffmpeg;

    /// <summary>Full path of the ffprobe executable.</summary>
    public string Ffprobe => _paths.Value.Ffprobe;

    /// <summary>FFMpegCore options pointing at the located binaries (a fresh object per call).</summary>
    public FFOptions CreateFFOptions() => new() { BinaryFolder = Path.GetDirectoryName(Ffprobe)!, UseCache = false };

    /// <summary>Resolves both executables from a configured folder/executable path, or from <paramref name="searchPath"/>.</summary>
    internal static (string Ffmpeg, string Ffprobe) Locate(string configured, string searchPath)
    {
        const string hint = "Install FFmpeg (Debian/Ubuntu: apt-get install ffmpeg; ./fc4d does it when missing) " +
                            "or set Fc4d:Video:FfmpegPath to the folder holding ffmpeg and ffprobe.";
        string folder;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            folder = Directory.Exists(configured) ? configured : Path.GetDirectoryName(Path.GetFullPath(configured)) ?? configured;
            if (!File.Exists(Path.Combine(folder, "ffmpeg")) || !File.Exists(Path.Combine(folder, "ffprobe")))
            {
                throw new FfmpegNotFoundException($"ffmpeg/ffprobe not found in '{folder}' (Fc4d:Video:FfmpegPath = '{configured}'). {hint}");
            }
        }
        else
        {
            folder = searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "ffmpeg")) && File.Exists(Path.Combine(dir, "ffprobe")))
                ?? throw new FfmpegNotFoundException($"ffmpeg/ffprobe not found on PATH. {hint}");
        }

        return (Path.GetFullPath(Path.Combine(folder, "ffmpeg")), Path.GetFullPath(Path.Combine(folder, "ffprobe")));
    }
}
