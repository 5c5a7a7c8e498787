using FaceCraft4D.Vision.Video;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Tests.Video;

[Collection(VideoFixturesCollection.Name)]
public sealed class FfmpegVideoReaderTests(VideoFixtures videos)
{
    [Fact]
    public async Task Probe_H264Mp4_ReportsCodecSizeRateDurationAndAudio()
    {
        var facts = await videos.Reader.ProbeAsync(videos.H264Mp4, CancellationToken.None);

        Assert.Equal("h264", facts.Codec);
        Assert.Contains("mp4", facts.Container);
        Assert.Equal((160, 96), (facts.Width, facts.Height));
        Assert.Equal(30, facts.AverageFps, 3);
        Assert.False(facts.VariableFrameRate);
        Assert.Equal(0, facts.RotationDegrees);
        Assert.True(facts.HasAudio);
        Assert.Equal(3.0, facts.Duration.TotalSeconds, 1);
        Assert.Equal(new FileInfo(videos.H264Mp4).Length, facts.Bytes);
        Assert.Equal(75, facts.FramesAt(25));
    }

    [Fact]
    public async Task Probe_Vp9WebmAndVariableRate_AreRecognised()
    {
        var webm = await videos.Reader.ProbeAsync(videos.Vp9Webm, CancellationToken.None);
        Assert.Equal("vp9", webm.Codec);
        Assert.Contains("webm", webm.Container);
        Assert.True(webm.HasAudio);
        Assert.Equal(1.0, webm.Duration.TotalSeconds, 1);

        var vfr = await videos.Reader.ProbeAsync(videos.VariableRateMp4, CancellationToken.None);
        Assert.True(vfr.VariableFrameRate, $"real and average rates should differ (average {vfr.AverageFps})");
        Assert.False(vfr.HasAudio);
    }

    [Fact]
    public async Task RotatedHevcMov_ProbesDisplayedSize_AndFramesComeBackUpright()
    {
        var facts = await videos.Reader.ProbeAsync(videos.RotatedHevcMov, CancellationToken.None);
        Assert.Equal("hevc", facts.Codec);
        Assert.Equal((160, 96), (facts.Width, facts.Height));   // stored 96x160
        Assert.Equal(270, facts.RotationDegrees);                // stored a quarter turn clockwise: shown turned back

        var frames = await ReadAllAsync(videos.RotatedHevcMov, new VideoReadRequest(Fps: 10, MaxSide: 80));
        try
        {
            Assert.Equal(10, frames.Count);
            var image = frames[3].Image;
            Assert.Equal((80, 48), (image.Width, image.Height));
            AssertColour(image, 10, 10, new Rgb24(255, 0, 0), "top-left red");
            AssertColour(image, 70, 10, new Rgb24(0, 255, 0), "top-right green");
            AssertColour(image, 10, 38, new Rgb24(0, 0, 255), "bottom-left blue");
            AssertColour(image, 70, 38, new Rgb24(255, 255, 255), "bottom-right white");
        }
        finally
        {
            frames.ForEach(frame => frame.Dispose());
        }
    }

    [Fact]
    public async Task VariableRate_IsResampledToAConstantGrid_WithTheRightFramesAtTheRightTimes()
    {
        var frames = await ReadAllAsync(videos.VariableRateMp4, new VideoReadRequest(Fps: 25));
        try
        {
            Assert.Equal(50, frames.Count);
            for (var i = 0; i < frames.Count; i++)
            {
                Assert.Equal(i, frames[i].Index);
                Assert.Equal(i / 25.0, frames[i].Time.TotalSeconds, 6);
                var expected = i < 25 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255);
                AssertColour(frames[i].Image, 32, 32, expected, $"frame {i}");
            }
        }
        finally
        {
            frames.ForEach(frame => frame.Dispose());
        }
    }

    [Fact]
    public async Task FullRead_ScalesDownToMaxSide_WithEvenSides_AndNeverUpscales()
    {
        var frames = await ReadAllAsync(videos.H264Mp4, new VideoReadRequest(Fps: 25, MaxSide: 101));
        var large = await ReadAllAsync(videos.Vp9Webm, new VideoReadRequest(Fps: 25, MaxSide: 4096), take: 2);
        try
        {
            Assert.Equal(75, frames.Count);
            Assert.All(frames, frame => Assert.Equal((100, 60), (frame.Image.Width, frame.Image.Height)));
            Assert.All(large, frame => Assert.Equal((128, 72), (frame.Image.Width, frame.Image.Height)));
        }
        finally
        {
            frames.ForEach(frame => frame.Dispose());
            large.ForEach(frame => frame.Dispose());
        }
    }

    [Theory]
    [InlineData(37, 10)]   // a chunk in the middle (seek lands between keyframes)
    [InlineData(3, 4)]     // a chunk closer to the start than the warm-up margin
    [InlineData(70, 20)]   // the last chunk: stops at the end
    public async Task SeekingRead_ReturnsExactlyTheFramesOfAFullRead(int first, int count)
    {
        var full = await ReadAllAsync(videos.H264Mp4, new VideoReadRequest(Fps: 25, MaxSide: 96));
        var chunk = await ReadAllAsync(videos.H264Mp4, new VideoReadRequest(Fps: 25, MaxSide: 96, FirstFrame: first, FrameCount: count));
        try
        {
            var expected = full.Skip(first).Take(count).ToList();
            Assert.Equal(expected.Select(f => f.Index), chunk.Select(f => f.Index));
            for (var i = 0; i < chunk.Count; i++)
            {
                Assert.Equal(expected[i].Time, chunk[i].Time);
                Assert.True(SamePixels(expected[i].Image, chunk[i].Image), $"frame {chunk[i].Index} differs from the full read");
            }

            // Consecutive frames of testsrc2 differ, so a one-frame shift would have been caught.
            Assert.False(SamePixels(full[first].Image, full[first + 1].Image));
        }
        finally
        {
            full.ForEach(frame => frame.Dispose());
            chunk.ForEach(frame => frame.Dispose());
        }
    }

    [Fact]
    public async Task Cancelling_OrStoppingEarly_KillsFfmpeg()
    {
        Assert.Empty(VideoFixtures.LiveFfmpegChildren());
        using var cancellation = new CancellationTokenSource();
        var read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var frame in videos.Reader.ReadFramesAsync(videos.LongMp4, new VideoReadRequest(), cancellation.Token))
            {
                frame.Dispose();
                if (++read == 3)
                {
                    Assert.Single(VideoFixtures.LiveFfmpegChildren());   // the decoder runs (blocked on the full pipe)
                    cancellation.Cancel();
                }
            }
        });
        Assert.Equal(3, read);
        await AssertNoFfmpegLeftAsync();

        await foreach (var frame in videos.Reader.ReadFramesAsync(videos.LongMp4, new VideoReadRequest(), CancellationToken.None))
        {
            frame.Dispose();
            break;
        }

        await AssertNoFfmpegLeftAsync();
    }

    [Fact]
    public async Task TextFileNamedMp4_AndAudioOnly_AreNotAVideo()
    {
        var text = await Assert.ThrowsAsync<InvalidVideoException>(() => videos.Reader.ProbeAsync(videos.TextNamedMp4, CancellationToken.None));
        Assert.Equal(VideoRefusals.NotAVideo, text.ReasonCode);
        Assert.Equal(400, text.StatusCode);
        Assert.Contains("notes.mp4", text.Message);

        var audio = await Assert.ThrowsAsync<InvalidVideoException>(() => videos.Reader.ProbeAsync(videos.AudioOnlyM4a, CancellationToken.None));
        Assert.Equal(VideoRefusals.NotAVideo, audio.ReasonCode);
        Assert.Contains("no video stream", audio.Message);

        await Assert.ThrowsAsync<InvalidVideoException>(async () =>
        {
            await foreach (var frame in videos.Reader.ReadFramesAsync(videos.TextNamedMp4, new VideoReadRequest(), CancellationToken.None))
            {
                frame.Dispose();
            }
        });
    }

    private async Task<List<VideoFrame>> ReadAllAsync(string path, VideoReadRequest request, int take = int.MaxValue)
    {
        var frames = new List<VideoFrame>();
        await foreach (var frame in videos.Reader.ReadFramesAsync(path, request, CancellationToken.None))
        {
            frames.Add(frame);
            if (frames.Count == take)
            {
                break;
            }
        }

        return frames;
    }

    private static async Task AssertNoFfmpegLeftAsync()
    {
        for (var i = 0; i < 50 && VideoFixtures.LiveFfmpegChildren().Count > 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.Empty(VideoFixtures.LiveFfmpegChildren());
    }

    private static void AssertColour(Image<Rgb24> image, int x, int y, Rgb24 expected, string what)
    {
        var actual = image[x, y];
        var distance = Math.Abs(actual.R - expected.R) + Math.Abs(actual.G - expected.G) + Math.Abs(actual.B - expected.B);
        Assert.True(distance < 60, $"{what}: expected {expected}, got {actual} at ({x},{y})");
    }

    private static bool SamePixels(Image<Rgb24> a, Image<Rgb24> b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
        {
            return false;
        }

        var bytesA = new byte[a.Width * a.Height * 3];
        var bytesB = new byte[bytesA.Length];
        a.CopyPixelDataTo(bytesA);
        b.CopyPixelDataTo(bytesB);
        return bytesA.AsSpan().SequenceEqual(bytesB);
    }
}
