using System.Text;
using FaceCraft4D.Vision.Video;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Tests.Video;

[Collection(VideoFixturesCollection.Name)]
public sealed class FfmpegVideoWriterTests(VideoFixtures videos) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fc4d-video-writer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Mp4_WithAudioCopiedFromTheSource_RoundTrips()
    {
        var output = Path.Combine(_folder, "preview.mp4");
        await videos.Writer.WriteMp4Async(Frames(50, 130, 98), 25, videos.H264Mp4, output, CancellationToken.None);

        var facts = await videos.Reader.ProbeAsync(output, CancellationToken.None);
        Assert.Equal("h264", facts.Codec);
        Assert.Equal((130, 98), (facts.Width, facts.Height));
        Assert.Equal(25, facts.AverageFps, 3);
        Assert.True(facts.HasAudio);
        Assert.Equal(2.0, facts.Duration.TotalSeconds, 1);   // the 3 s audio is cut to the video
        var bytes = await File.ReadAllBytesAsync(output);
        Assert.True(IndexOf(bytes, "moov") < IndexOf(bytes, "mdat"), "faststart puts the index before the media data");

        // The pixels survive the encode (frame 10's square is where it was drawn).
        await foreach (var frame in videos.Reader.ReadFramesAsync(output, new VideoReadRequest(25, 512, 10, 1), CancellationToken.None))
        {
            using (frame)
            using (var expected = Frame(10, 130, 98))
            {
                Assert.True(MeanAbsoluteDifference(expected, frame.Image) < 4, "decoded frame differs from the written one");
            }
        }

        Assert.Single(Directory.GetFiles(_folder));   // no partial file left
    }

    [Fact]
    public async Task Mp4_OddSizeAndOpusAudio_IsPaddedAndReencodedToAac()
    {
        var output = Path.Combine(_folder, "odd.mp4");
        await videos.Writer.WriteMp4Async(Frames(10, 67, 45), 25, videos.Vp9Webm, output, CancellationToken.None);

        var facts = await videos.Reader.ProbeAsync(output, CancellationToken.None);
        Assert.Equal((68, 46), (facts.Width, facts.Height));
        Assert.True(facts.HasAudio);
        Assert.Equal(0.4, facts.Duration.TotalSeconds, 1);
    }

    [Fact]
    public async Task Mp4_WithoutAudioSource_HasNoAudio()
    {
        var output = Path.Combine(_folder, "silent.mp4");
        await videos.Writer.WriteMp4Async(Frames(5, 64, 64), 25, audioSourcePath: null, output, CancellationToken.None);
        Assert.False((await videos.Reader.ProbeAsync(output, CancellationToken.None)).HasAudio);
    }

    [Fact]
    public async Task Gif_IsScaledToMaxSide()
    {
        var output = Path.Combine(_folder, "preview.gif");
        await videos.Writer.WriteGifAsync(Frames(10, 200, 100), 10, 80, output, CancellationToken.None);

        Assert.Equal("GIF89a", Encoding.ASCII.GetString((await File.ReadAllBytesAsync(output))[..6]));
        using var gif = await Image.LoadAsync<Rgb24>(output);
        Assert.Equal((80, 40), (gif.Width, gif.Height));
        Assert.Equal(10, gif.Frames.Count);
    }

    [Fact]
    public async Task FramesOfDifferentSizes_AreRefused_AndNothingIsLeft()
    {
        var output = Path.Combine(_folder, "mixed.mp4");
        await Assert.ThrowsAsync<ArgumentException>(() =>
            videos.Writer.WriteMp4Async(Mixed(), 25, null, output, CancellationToken.None));
        Assert.Empty(Directory.GetFiles(_folder));

        async IAsyncEnumerable<Image<Rgb24>> Mixed()
        {
            await foreach (var frame in Frames(3, 64, 64))
            {
                yield return frame;
            }

            yield return new Image<Rgb24>(32, 32);
        }
    }

    [Fact]
    public async Task CancellingAWrite_KillsFfmpeg_AndKeepsTheExistingFile()
    {
        var output = Path.Combine(_folder, "kept.mp4");
        await File.WriteAllTextAsync(output, "an earlier preview");
        using var cancellation = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            videos.Writer.WriteMp4Async(Endless(cancellation), 25, null, output, cancellation.Token));

        Assert.Equal("an earlier preview", await File.ReadAllTextAsync(output));
        Assert.Single(Directory.GetFiles(_folder));
        for (var i = 0; i < 50 && VideoFixtures.LiveFfmpegChildren().Count > 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.Empty(VideoFixtures.LiveFfmpegChildren());

        static async IAsyncEnumerable<Image<Rgb24>> Endless(CancellationTokenSource cancellation)
        {
            for (var i = 0; ; i++)
            {
                if (i == 20)
                {
                    Assert.Single(VideoFixtures.LiveFfmpegChildren());
                    await cancellation.CancelAsync();
                }

                yield return Frame(i, 64, 64);
            }
        }
    }

    /// <summary>A grey gradient with a white square moving 2 px per frame.</summary>
    private static Image<Rgb24> Frame(int index, int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var inSquare = x >= 2 * index % (width - 16) && x < 2 * index % (width - 16) + 16 && y >= 8 && y < 24;
                var grey = (byte)(40 + 150 * x / width);
                image[x, y] = inSquare ? new Rgb24(250, 250, 250) : new Rgb24(grey, (byte)(grey / 2), 90);
            }
        }

        return image;
    }

    private static async IAsyncEnumerable<Image<Rgb24>> Frames(int count, int width, int height)
    {
        for (var i = 0; i < count; i++)
        {
            using var frame = Frame(i, width, height);
            yield return frame;
            await Task.Yield();
        }
    }

    private static double MeanAbsoluteDifference(Image<Rgb24> a, Image<Rgb24> b)
    {
        double sum = 0;
        for (var y = 0; y < a.Height; y++)
        {
            for (var x = 0; x < a.Width; x++)
            {
                sum += Math.Abs(a[x, y].R - b[x, y].R) + Math.Abs(a[x, y].G - b[x, y].G) + Math.Abs(a[x, y].B - b[x, y].B);
            }
        }

        return sum / (3.0 * a.Width * a.Height);
    }

    private static int IndexOf(byte[] bytes, string atom)
    {
        var index = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(atom));
        Assert.True(index >= 0, $"no {atom} box");
        return index;
    }
}
