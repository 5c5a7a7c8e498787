using System.Diagnostics;
using FaceCraft4D.Vision.Video;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Vision.Tests.Video;

/// <summary>
/// Small videos made with the ffmpeg CLI into a temporary folder once per test run (deleted afterwards): the formats
/// phones produce, rotation metadata, variable frame rate, and files intake must refuse.
/// </summary>
public sealed class VideoFixtures : IAsyncLifetime
{
    /// <summary>Quadrant pattern of the upright picture: red top-left, green top-right, blue bottom-left, white bottom-right.</summary>
    private const string Quadrants =
        "color=red:s=80x48:r=30:d=1[a];color=lime:s=80x48:r=30:d=1[b];color=blue:s=80x48:r=30:d=1[c];" +
        "color=white:s=80x48:r=30:d=1[d];[a][b]hstack[t];[c][d]hstack[u];[t][u]vstack";

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"fc4d-video-tests-{Guid.NewGuid():N}");

    /// <summary>H.264 MP4, 160x96, 30 fps, 3 s, keyframe every 12 frames, 440 Hz AAC audio.</summary>
    public string H264Mp4 => Path.Combine(Folder, "h264.mp4");

    /// <summary>HEVC MOV of the 160x96 quadrant pattern stored turned a quarter clockwise (96x160) with display rotation metadata.</summary>
    public string RotatedHevcMov => Path.Combine(Folder, "rotated.mov");

    /// <summary>VP9 WebM, 128x72, 25 fps, 1 s, Opus audio.</summary>
    public string Vp9Webm => Path.Combine(Folder, "vp9.webm");

    /// <summary>Variable frame rate MP4: 1 s of red at 10 fps, then 1 s of blue at 50 fps (64x64).</summary>
    public string VariableRateMp4 => Path.Combine(Folder, "vfr.mp4");

    /// <summary>Motion-JPEG AVI (a codec intake refuses).</summary>
    public string MjpegAvi => Path.Combine(Folder, "mjpeg.avi");

    /// <summary>Audio only (no video stream).</summary>
    public string AudioOnlyM4a => Path.Combine(Folder, "audio.m4a");

    /// <summary>A text file named like a video.</summary>
    public string TextNamedMp4 => Path.Combine(Folder, "notes.mp4");

    /// <summary>H.264 MP4, 320x240, 25 fps, 20 s (long enough to cancel mid-read).</summary>
    public string LongMp4 => Path.Combine(Folder, "long.mp4");

    public FfmpegBinaries Binaries { get; } = new(Options.Create(new FfmpegOptions()));

    public FfmpegVideoReader Reader => new(Binaries);

    public FfmpegVideoWriter Writer => new(Binaries, Options.Create(new FfmpegOptions { X264Preset = "ultrafast" }));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        await File.WriteAllTextAsync(TextNamedMp4, "These are meeting notes, not a video.\n");
        await Task.WhenAll(
            FfmpegAsync("-f", "lavfi", "-i", "testsrc2=s=160x96:r=30:d=3", "-f", "lavfi", "-i", "sine=f=440:d=3",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "12", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", H264Mp4),
            RotatedAsync(),
            FfmpegAsync("-f", "lavfi", "-i", "testsrc2=s=128x72:r=25:d=1", "-f", "lavfi", "-i", "sine=f=300:d=1",
                "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-shortest", Vp9Webm),
            FfmpegAsync("-f", "lavfi", "-i", "color=red:s=64x64:r=10:d=1[a];color=blue:s=64x64:r=50:d=1[b];[a][b]concat=n=2:v=1:a=0",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-fps_mode", "vfr", VariableRateMp4),
            FfmpegAsync("-f", "lavfi", "-i", "testsrc2=s=96x96:r=10:d=1", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", MjpegAvi),
            FfmpegAsync("-f", "lavfi", "-i", "sine=f=440:d=1", "-c:a", "aac", AudioOnlyM4a),
            FfmpegAsync("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=20", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", LongMp4));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The ffmpeg processes this test process started that are still alive.</summary>
    public static IReadOnlyList<int> LiveFfmpegChildren()
    {
        var self = Environment.ProcessId;
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid ..."
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                if (comm == "ffmpeg" && int.Parse(fields[1]) == self && fields[0] != "Z")
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // exited while listing
            }
        }

        return children;
    }

    /// <summary>Encodes, then sets the rotation by remuxing (ffmpeg 5.1 writes the display matrix only on a stream copy).</summary>
    private async Task RotatedAsync()
    {
        var stored = Path.Combine(Folder, "stored.mov");
        await FfmpegAsync("-f", "lavfi", "-i", Quadrants, "-vf", "transpose=clock", "-c:v", "libx265", "-preset", "ultrafast",
            "-x265-params", "log-level=error", "-pix_fmt", "yuv420p", "-tag:v", "hvc1", stored);
        await FfmpegAsync("-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=90", RotatedHevcMov);
        File.Delete(stored);
    }

    private async Task FfmpegAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(Binaries.Ffmpeg) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-hide_banner", "-loglevel", "error", "-nostdin", "-y" }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var log = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"making a fixture failed: {log}");
    }
}

[CollectionDefinition(Name)]
public sealed class VideoFixturesCollection : ICollectionFixture<VideoFixtures>
{
    public const string Name = "ffmpeg videos";
}
