using System.Globalization;
using FFMpegCore;
using FFMpegCore.Exceptions;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Video;

/// <summary>
/// <see cref="IVideoWriter"/> over the system FFmpeg: frames are piped as raw rgb24 into one ffmpeg process that encodes
/// libx264 yuv420p MP4 (<c>+faststart</c>, plays in browsers) or a GIF (palettegen/paletteuse in one pass). The file is
/// written beside the target and moved into place only when ffmpeg succeeded, so a failed or cancelled encode never
/// leaves a broken file behind or damages an existing one. The caller keeps ownership of the frames it yields.
/// </summary>
public sealed class FfmpegVideoWriter(FfmpegBinaries binaries, IOptions<FfmpegOptions> options) : IVideoWriter
{
    /// <summary>Names the backend in outputs that record which encoder produced them.</summary>
    public const string Backend = "ffmpeg-libx264";

    /// <summary>Audio codecs copied into the MP4 as they are; any other is re-encoded to AAC.</summary>
    private static readonly HashSet<string> Mp4AudioCodecs = new(StringComparer.OrdinalIgnoreCase) { "aac", "mp3" };

    /// <inheritdoc />
    public async Task WriteMp4Async(
        IAsyncEnumerable<Image<Rgb24>> frames, double fps, string? audioSourcePath, string outputPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fps);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        var audioCodec = audioSourcePath is null ? null : await AudioCodecAsync(audioSourcePath, cancellationToken).ConfigureAwait(false);
        var settings = options.Value;
        await EncodeAsync(frames, fps, outputPath, "writing an MP4", (width, height) =>
        {
            List<string> arguments = [];
            if (audioCodec is not null)
            {
                arguments.AddRange(["-i", audioSourcePath!]);
            }

            arguments.AddRange(["-map", "0:v:0"]);
            if (audioCodec is not null)
            {
                arguments.AddRange(["-map", "1:a:0", "-c:a"]);
                arguments.AddRange(Mp4AudioCodecs.Contains(audioCodec) ? ["copy"] : ["aac", "-b:a", "128k"]);
                arguments.Add("-shortest");
            }

            if (width % 2 != 0 || height % 2 != 0)
            {
                arguments.AddRange(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]);
            }

            arguments.AddRange(["-c:v", "libx264", "-preset", settings.X264Preset,
                "-crf", settings.X264Crf.ToString(CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p",
                "-movflags", "+faststart", "-f", "mp4"]);
            return arguments;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task WriteGifAsync(IAsyncEnumerable<Image<Rgb24>> frames, double fps, int maxSide, string outputPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fps);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 2);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        return EncodeAsync(frames, fps, outputPath, "writing a GIF", (width, height) =>
        {
            var (gifWidth, gifHeight) = FrameGeometry.Fit(width, height, maxSide);
            return
            [
                "-filter_complex",
                $"[0:v]scale={gifWidth}:{gifHeight}:flags=lanczos,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4",
                "-loop", "0", "-f", "gif",
            ];
        }, cancellationToken);
    }

    /// <summary>
    /// Starts ffmpeg once the first frame gives the size, pipes every frame, then moves the finished file into place.
    /// <paramref name="outputArguments"/> gets the frame size and returns everything between the piped input and the file.
    /// </summary>
    private async Task EncodeAsync(
        IAsyncEnumerable<Image<Rgb24>> frames, double fps, string outputPath, string what,
        Func<int, int, List<string>> outputArguments, CancellationToken cancellationToken)
    {
        var fullOutput = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullOutput)!);
        var partial = $"{fullOutput}.{Guid.NewGuid():N}.partial";
        try
        {
            await using var enumerator = frames.GetAsyncEnumerator(cancellationToken);
            if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                throw new ArgumentException($"No frames to encode ({what}).", nameof(frames));
            }

            var (width, height) = (enumerator.Current.Width, enumerator.Current.Height);
            List<string> arguments =
            [
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}",
                "-framerate", fps.ToString("R", CultureInfo.InvariantCulture), "-i", "pipe:0",
            ];
            arguments.AddRange(outputArguments(width, height));
            arguments.AddRange(["-y", partial]);

            await using var ffmpeg = FfmpegProcess.Start(binaries.Ffmpeg, arguments, redirectInput: true);
            await using (cancellationToken.Register(static state => ((FfmpegProcess)state!).Kill(), ffmpeg))
            {
                var buffer = new byte[width * height * 3];
                var index = 0;
                do
                {
                    var frame = enumerator.Current;
                    if (frame.Width != width || frame.Height != height)
                    {
                        throw new ArgumentException(
                            $"Frame {index} is {frame.Width}x{frame.Height}, the first was {width}x{height}: all frames must be the same size.", nameof(frames));
                    }

                    frame.CopyPixelDataTo(buffer);
                    try
                    {
                        await ffmpeg.Input.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                    }
                    catch (IOException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // ffmpeg stopped reading: it failed; its log says why.
                        await ffmpeg.WaitForSuccessAsync(what, cancellationToken).ConfigureAwait(false);
                        throw new FfmpegFailedException($"ffmpeg stopped reading frames {what}: {ffmpeg.Log}");
                    }

                    index++;
                }
                while (await enumerator.MoveNextAsync().ConfigureAwait(false));

                ffmpeg.Input.Close();
                await ffmpeg.WaitForSuccessAsync(what, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(partial, fullOutput, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }

    /// <summary>The codec of <paramref name="path"/>'s first audio stream, or null when it has none (or is not a media file).</summary>
    private async Task<string?> AudioCodecAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No audio source at '{path}'.", path);
        }

        try
        {
            var analysis = await FFProbe.AnalyseAsync(path, binaries.CreateFFOptions(), customArguments: null, cancellationToken).ConfigureAwait(false);
            return analysis.PrimaryAudioStream?.CodecName;
        }
        catch (Exception e) when (e is FFProbeException or FFMpegException or System.Text.Json.JsonException or FormatException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }
}
