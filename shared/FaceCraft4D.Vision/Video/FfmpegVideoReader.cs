using System.Globalization;
using System.Runtime.CompilerServices;
using FFMpegCore;
using FFMpegCore.Exceptions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Video;

/// <summary>
/// <see cref="IVideoReader"/> over the system FFmpeg: facts from ffprobe (through FFMpegCore), frames from one ffmpeg
/// process per call streaming raw rgb24 through its stdout pipe (no temporary files).
/// <para>
/// Frame indices are pinned to an absolute time grid so that a read starting at <c>FirstFrame</c> returns exactly the
/// frames a full read returns at those indices: timestamps are kept as stored (<c>-copyts</c>), the <c>fps</c> filter
/// always starts its grid at the video stream's start time (so its rounding, ties included, is the same for every read;
/// the slots before the seek point are padding that <c>trim</c> drops at once), an accurate input seek lands about a
/// second before the first wanted frame, and the frames of that warm-up margin are decoded and dropped. Variable frame rate input is resolved by the same filter (nearest earlier frame per grid slot); rotation
/// metadata is applied by ffmpeg's autorotation before scaling.
/// </para>
/// </summary>
public sealed class FfmpegVideoReader(FfmpegBinaries binaries) : IVideoReader
{
    /// <summary>Names the backend in outputs that record which decoder produced them.</summary>
    public const string Backend = "ffmpeg";

    /// <summary>Relative difference between real and average frame rate above which a stream counts as variable.</summary>
    private const double VariableRateTolerance = 0.01;

    /// <inheritdoc />
    public async Task<VideoFacts> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var analysis = await AnalyseAsync(path, cancellationToken).ConfigureAwait(false);
        var video = analysis.PrimaryVideoStream!;
        var rotation = ClockwiseRotation(video);
        var (width, height) = DisplaySize(video, rotation);
        var duration = video.Duration > TimeSpan.Zero ? video.Duration : analysis.Format.Duration;
        var real = double.IsFinite(video.RealFrameRate) ? video.RealFrameRate : 0;
        var average = video.AverageFrameRate > 0 && double.IsFinite(video.AverageFrameRate) ? video.AverageFrameRate : real;
        var variable = real > 0 && average > 0 && Math.Abs(real - average) > VariableRateTolerance * average;
        return new VideoFacts(duration, width, height, video.CodecName ?? "unknown", analysis.Format.FormatName ?? "unknown", average, variable,
            rotation, analysis.PrimaryAudioStream is not null, new FileInfo(path).Length);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<VideoFrame> ReadFramesAsync(
        string path, VideoReadRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Fps);
        ArgumentOutOfRangeException.ThrowIfNegative(request.FirstFrame);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxSide, 2);
        if (request.FrameCount is <= 0)
        {
            yield break;
        }

        var analysis = await AnalyseAsync(path, cancellationToken).ConfigureAwait(false);
        var video = analysis.PrimaryVideoStream!;
        var rotation = ClockwiseRotation(video);
        var (displayWidth, displayHeight) = DisplaySize(video, rotation);
        var (width, height) = FrameGeometry.Fit(displayWidth, displayHeight, request.MaxSide);

        // Grid frame `gridStart` is the first one decoded; frames gridStart .. FirstFrame-1 are the warm-up margin.
        var margin = Math.Min(request.FirstFrame, (int)Math.Ceiling(request.Fps) + 1);
        var gridStart = request.FirstFrame - margin;
        var streamStart = video.StartTime.TotalSeconds;
        var gridStartTime = streamStart + gridStart / request.Fps;
        var arguments = new List<string>();
        if (gridStart > 0)
        {
            // -ss is relative to the file's start time; land half a frame before the margin's first slot.
            var seek = Math.Max(0, gridStartTime - analysis.Format.StartTime.TotalSeconds - 0.5 / request.Fps);
            arguments.AddRange(["-ss", Invariant(seek)]);
        }

        arguments.AddRange(["-copyts", "-i", path, "-map", $"0:{video.Index}", "-an", "-sn", "-dn",
            "-vf", $"fps=fps={Invariant(request.Fps)}:start_time={Invariant(streamStart)}:round=near," +
                   (gridStart > 0 ? $"trim=start_frame={gridStart}," : "") +
                   $"scale={width}:{height}:flags=area,format=rgb24",
            "-fps_mode", "passthrough"]);
        if (request.FrameCount is { } count)
        {
            arguments.AddRange(["-frames:v", (margin + count).ToString(CultureInfo.InvariantCulture)]);
        }

        arguments.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);

        await using var ffmpeg = FfmpegProcess.Start(binaries.Ffmpeg, arguments, redirectInput: false);
        // Cancellation kills ffmpeg at once: the pipe closes and the pending read returns.
        await using var killOnCancel = cancellationToken.Register(static state => Kill((FfmpegProcess)state!), ffmpeg);
        var frameBytes = width * height * 3;
        var buffer = new byte[frameBytes];
        for (var gridIndex = gridStart; ; gridIndex++)
        {
            var read = await ffmpeg.Output.ReadAtLeastAsync(buffer, frameBytes, throwOnEndOfStream: false, cancellationToken)
                .ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (read == 0)
            {
                break;
            }

            if (read < frameBytes)
            {
                await ffmpeg.WaitForSuccessAsync($"decoding '{Path.GetFileName(path)}'", cancellationToken).ConfigureAwait(false);
                throw new FfmpegFailedException($"ffmpeg ended mid-frame decoding '{Path.GetFileName(path)}' ({read} of {frameBytes} bytes).");
            }

            if (gridIndex < request.FirstFrame)
            {
                continue;
            }

            var image = Image.LoadPixelData<Rgb24>(buffer, width, height);
            yield return new VideoFrame(gridIndex, TimeSpan.FromSeconds(gridIndex / request.Fps), image);
        }

        await ffmpeg.WaitForSuccessAsync($"decoding '{Path.GetFileName(path)}'", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>ffprobe's analysis, refusing (<c>not-a-video</c>) anything it cannot read or that has no video stream.</summary>
    private async Task<IMediaAnalysis> AnalyseAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No video at '{path}'.", path);
        }

        IMediaAnalysis analysis;
        try
        {
            analysis = await FFProbe.AnalyseAsync(path, binaries.CreateFFOptions(), customArguments: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FFProbeException or FFMpegException or System.Text.Json.JsonException or FormatException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw VideoRefusals.NotAVideoFile(name, "ffprobe cannot read it");
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (analysis.PrimaryVideoStream is not { Width: > 0, Height: > 0 })
        {
            throw VideoRefusals.NotAVideoFile(name, "no video stream");
        }

        return analysis;
    }

    /// <summary>
    /// Degrees the stored picture is turned clockwise for display (0, 90, 180, 270; a phone's portrait video is 90), from
    /// the display-matrix side data (which ffprobe reports counter-clockwise) or, failing that, a legacy <c>rotate</c> tag.
    /// </summary>
    private static int ClockwiseRotation(VideoStream video)
    {
        int clockwise;
        if (video.Tags is { } tags && tags.TryGetValue("rotate", out var tag) && video.Rotation.ToString(CultureInfo.InvariantCulture) == tag.Trim())
        {
            clockwise = video.Rotation; // FFMpegCore fell back to the tag, which is clockwise
        }
        else
        {
            clockwise = -video.Rotation;
        }

        return (int)(((Math.Round(clockwise / 90.0) * 90) % 360 + 360) % 360);
    }

    /// <summary>Width and height as displayed: sides swapped for a quarter turn.</summary>
    private static (int Width, int Height) DisplaySize(VideoStream video, int rotation) =>
        rotation is 90 or 270 ? (video.Height!.Value, video.Width!.Value) : (video.Width!.Value, video.Height!.Value);

    private static void Kill(FfmpegProcess ffmpeg)
    {
        try
        {
            ffmpeg.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static string Invariant(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
