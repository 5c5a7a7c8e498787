using FaceCraft4D.Vision.Video;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Vision.Tests.Video;

[Collection(VideoFixturesCollection.Name)]
public sealed class VideoIntakeValidatorTests(VideoFixtures videos)
{
    [Fact]
    public async Task PhoneFormats_AreAccepted_WithTheirFacts()
    {
        var validator = Validator(new VideoLimits());
        Assert.Equal("h264", (await validator.ValidateAsync(videos.H264Mp4, CancellationToken.None)).Codec);
        Assert.Equal("hevc", (await validator.ValidateAsync(videos.RotatedHevcMov, CancellationToken.None)).Codec);
        Assert.Equal("vp9", (await validator.ValidateAsync(videos.Vp9Webm, CancellationToken.None)).Codec);
    }

    [Fact]
    public async Task NotAVideo_Is400()
    {
        var refusal = await RefusalAsync(new VideoLimits(), videos.TextNamedMp4);
        Assert.Equal((VideoRefusals.NotAVideo, 400), (refusal.ReasonCode, refusal.StatusCode));
    }

    [Fact]
    public async Task Mjpeg_IsAnUnsupportedCodec()
    {
        var refusal = await RefusalAsync(new VideoLimits(), videos.MjpegAvi);
        Assert.Equal((VideoRefusals.UnsupportedCodec, 422), (refusal.ReasonCode, refusal.StatusCode));
        Assert.Contains("mjpeg", refusal.Message);
    }

    [Fact]
    public async Task OverTheLimits_IsTooLongTooLargeOrTooSmall()
    {
        var tooLong = await RefusalAsync(new VideoLimits { MaxDurationSeconds = 2 }, videos.H264Mp4);
        Assert.Equal((VideoRefusals.TooLong, 422), (tooLong.ReasonCode, tooLong.StatusCode));
        Assert.Contains("3 s", tooLong.Message);

        var tooLarge = await RefusalAsync(new VideoLimits { MaxBytes = 1000 }, videos.H264Mp4);
        Assert.Equal((VideoRefusals.TooLarge, 413), (tooLarge.ReasonCode, tooLarge.StatusCode));

        var tooSmall = await RefusalAsync(new VideoLimits { MinSide = 100 }, videos.H264Mp4);   // 160x96
        Assert.Equal((VideoRefusals.TooSmall, 422), (tooSmall.ReasonCode, tooSmall.StatusCode));

        var tooWide = await RefusalAsync(new VideoLimits { MaxSide = 150 }, videos.H264Mp4);
        Assert.Equal((VideoRefusals.TooLarge, 422), (tooWide.ReasonCode, tooWide.StatusCode));
    }

    [Fact]
    public void LimitsBindFromConfiguration_WithTheIssueDefaults()
    {
        var defaults = new VideoLimits();
        Assert.Equal(120, defaults.MaxDurationSeconds);
        Assert.Equal(256L * 1024 * 1024, defaults.MaxBytes);
        Assert.Equal(["h264", "hevc", "vp9", "vp8", "av1", "mpeg4"], defaults.AllowedCodecs);
    }

    private VideoIntakeValidator Validator(VideoLimits limits) => new(videos.Reader, Options.Create(limits));

    private async Task<InvalidVideoException> RefusalAsync(VideoLimits limits, string path) =>
        await Assert.ThrowsAsync<InvalidVideoException>(() => Validator(limits).ValidateAsync(path, CancellationToken.None));
}
