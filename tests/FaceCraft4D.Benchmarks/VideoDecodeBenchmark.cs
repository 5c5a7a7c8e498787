using System.Diagnostics;
using System.Runtime.InteropServices;
using FaceCraft4D.Vision.Video;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Video I/O through the system FFmpeg (issue 15): makes a --seconds 10 s --width 1280 x --height 720 H.264 clip at 25 fps
/// with AAC audio (testsrc2 + sine, into a temporary folder), then times a full decode resampled to --fps 25 and scaled
/// to --max-side 512, the same frames read as --chunk 50 frame chunks (seek per chunk, as TrackVideo reads them), an
/// H.264 MP4 encode of the decoded frames with the source audio, and a GIF encode at 256 px. Prints frames per second
/// (wall, and per CPU-second of ffmpeg: steadier on a shared machine), this process's peak RSS and the largest ffmpeg
/// process's peak RSS.
/// </summary>
public sealed class VideoDecodeBenchmark : IBenchmark
{
    public string Name => "video-decode";

    public string Description => "FFmpeg video decode (720p H.264 -> 512 px, full and chunked) and MP4/GIF encode: frames/s and peak RSS";

    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var seconds = a.GetInt("seconds", 10);
        var (width, height) = (a.GetInt("width", 1280), a.GetInt("height", 720));
        var fps = a.GetInt("fps", 25);
        var maxSide = a.GetInt("max-side", 512);
        var chunk = a.GetInt("chunk", 50);
        var binaries = new FfmpegBinaries(Options.Create(new FfmpegOptions()));
        var reader = new FfmpegVideoReader(binaries);
        var writer = new FfmpegVideoWriter(binaries, Options.Create(new FfmpegOptions()));
        var folder = Directory.CreateTempSubdirectory("fc4d-video-bench-").FullName;
        try
        {
            var source = Path.Combine(folder, "source.mp4");
            await MakeClipAsync(binaries.Ffmpeg, source, seconds, width, height, fps, cancellationToken).ConfigureAwait(false);
            var facts = await reader.ProbeAsync(source, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"video-decode benchmark: {binaries.Ffmpeg}, processors={Environment.ProcessorCount}");
            output.WriteLine($"source: {facts.Width}x{facts.Height} {facts.Codec} {facts.AverageFps:F2} fps {facts.Duration.TotalSeconds:F1} s, audio={facts.HasAudio}, {facts.Bytes / 1024} KiB");
            PeakMemory.TryResetPeak();
            using var ffmpegPeak = new FfmpegPeakSampler();

            var probeClock = Stopwatch.StartNew();
            for (var i = 0; i < 5; i++)
            {
                await reader.ProbeAsync(source, cancellationToken).ConfigureAwait(false);
            }

            output.WriteLine($"probe                                 {probeClock.Elapsed.TotalMilliseconds / 5,8:F1} ms");

            var frames = new List<Image<Rgb24>>();
            var (fullWall, fullCpu) = await TimeAsync(async () =>
            {
                await foreach (var frame in reader.ReadFramesAsync(source, new VideoReadRequest(fps, maxSide), cancellationToken).ConfigureAwait(false))
                {
                    frames.Add(frame.Image);
                }
            }).ConfigureAwait(false);
            Report(output, $"decode full -> {frames[0].Width}x{frames[0].Height}", frames.Count, fullWall, fullCpu);

            var chunked = 0;
            var (chunkWall, chunkCpu) = await TimeAsync(async () =>
            {
                for (var first = 0; first < frames.Count; first += chunk)
                {
                    await foreach (var frame in reader.ReadFramesAsync(source, new VideoReadRequest(fps, maxSide, first, chunk), cancellationToken).ConfigureAwait(false))
                    {
                        frame.Dispose();
                        chunked++;
                    }
                }
            }).ConfigureAwait(false);
            Report(output, $"decode in chunks of {chunk}", chunked, chunkWall, chunkCpu);

            var (mp4Wall, mp4Cpu) = await TimeAsync(() =>
                writer.WriteMp4Async(Replay(frames), fps, source, Path.Combine(folder, "out.mp4"), cancellationToken)).ConfigureAwait(false);
            Report(output, "encode MP4 (libx264 veryfast + audio)", frames.Count, mp4Wall, mp4Cpu);

            var (gifWall, gifCpu) = await TimeAsync(() =>
                writer.WriteGifAsync(Replay(frames), fps, 256, Path.Combine(folder, "out.gif"), cancellationToken)).ConfigureAwait(false);
            Report(output, "encode GIF (256 px, palette)", frames.Count, gifWall, gifCpu);

            output.WriteLine($"peak RSS: this process {PeakMemory.PeakResidentBytes() / (1024.0 * 1024.0):F0} MiB " +
                             $"(holds all {frames.Count} decoded frames, {frames.Count * (long)frames[0].Width * frames[0].Height * 3 / (1024.0 * 1024.0):F0} MiB), " +
                             $"largest ffmpeg process {ffmpegPeak.PeakKb / 1024.0:F0} MiB (VmHWM sampled every 20 ms)");
            frames.ForEach(frame => frame.Dispose());
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Report(TextWriter output, string what, int frames, TimeSpan wall, double ffmpegCpuSeconds) =>
        output.WriteLine($"{what,-38}{frames,5} frames {wall.TotalSeconds,7:F2} s  {frames / wall.TotalSeconds,7:F1} frames/s wall  " +
                         $"ffmpeg CPU {ffmpegCpuSeconds:F2} s = {frames / ffmpegCpuSeconds,6:F0} frames per ffmpeg CPU-second");

    private static async Task<(TimeSpan Wall, double FfmpegCpuSeconds)> TimeAsync(Func<Task> action)
    {
        var before = ChildUsage().CpuSeconds;
        var clock = Stopwatch.StartNew();
        await action().ConfigureAwait(false);
        return (clock.Elapsed, ChildUsage().CpuSeconds - before);
    }

    private static async IAsyncEnumerable<Image<Rgb24>> Replay(List<Image<Rgb24>> frames)
    {
        foreach (var frame in frames)
        {
            yield return frame;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static async Task MakeClipAsync(string ffmpeg, string path, int seconds, int width, int height, int fps, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(ffmpeg) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                     "-f", "lavfi", "-i", $"testsrc2=s={width}x{height}:r={fps}:d={seconds}",
                     "-f", "lavfi", "-i", $"sine=f=440:d={seconds}",
                     "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path,
                 })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var log = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"making the benchmark clip failed: {log}");
        }
    }

    // getrusage(RUSAGE_CHILDREN): CPU time of the waited-for child processes (the ffmpegs).
    private const int RusageChildren = -1;

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRssKb;
        public long R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    private static (double CpuSeconds, long MaxRssKb) ChildUsage()
    {
        if (!OperatingSystem.IsLinux() || getrusage(RusageChildren, out var usage) != 0)
        {
            return (double.NaN, -1);
        }

        return (usage.UserSeconds + usage.SystemSeconds + (usage.UserMicroseconds + usage.SystemMicroseconds) / 1e6, usage.MaxRssKb);
    }


    /// <summary>Largest peak RSS (VmHWM) seen among this process's ffmpeg children, sampled from /proc on a timer.</summary>
    private sealed class FfmpegPeakSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peakKb;

        public FfmpegPeakSampler() => _timer = new Timer(_ => Sample(), null, 0, 20);

        public long PeakKb => Interlocked.Read(ref _peakKb);

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                try
                {
                    var status = File.ReadAllLines(Path.Combine(dir, "status"));
                    string Field(string key) => status.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?[key.Length..].Trim() ?? "";
                    if (Field("Name:") != "ffmpeg" || Field("PPid:") != self)
                    {
                        continue;
                    }

                    var kb = long.TryParse(Field("VmHWM:").Split(' ')[0], out var value) ? value : 0;
                    long seen;
                    while (kb > (seen = Interlocked.Read(ref _peakKb)) && Interlocked.CompareExchange(ref _peakKb, kb, seen) != seen)
                    {
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // exited while listing
                }
            }
        }
    }
}
