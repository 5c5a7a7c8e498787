using FaceCraft4D.Vision.Video;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Vision.Tests.Video;

public sealed class FfmpegSetupTests
{
    [Fact]
    public void MissingBinaries_GiveAClearError()
    {
        var configured = Assert.Throws<FfmpegNotFoundException>(() => FfmpegBinaries.Locate("/nonexistent/ffmpeg-folder", "/usr/bin"));
        Assert.Contains("Fc4d:Video:FfmpegPath", configured.Message);
        Assert.Contains("apt-get install ffmpeg", configured.Message);

        var onPath = Assert.Throws<FfmpegNotFoundException>(() => FfmpegBinaries.Locate("", "/nonexistent:/also-not-here"));
        Assert.Contains("PATH", onPath.Message);

        var binaries = new FfmpegBinaries(Options.Create(new FfmpegOptions { FfmpegPath = "/nonexistent" }));
        Assert.Throws<FfmpegNotFoundException>(() => binaries.Ffmpeg);
    }

    [Fact]
    public void Binaries_AreFoundFromAFolderAnExecutableOrPath()
    {
        var fromPath = FfmpegBinaries.Locate("", Environment.GetEnvironmentVariable("PATH")!);
        var folder = Path.GetDirectoryName(fromPath.Ffmpeg)!;
        Assert.Equal(fromPath, FfmpegBinaries.Locate(folder, ""));
        Assert.Equal(fromPath, FfmpegBinaries.Locate(fromPath.Ffmpeg, ""));
        Assert.Equal(Path.Combine(folder, "ffprobe"), fromPath.Ffprobe);
    }

    [Fact]
    public void AddVideoIo_BindsOptionsAndRegistersTheFfmpegBackends()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Fc4d:Video:MaxDurationSeconds"] = "30",
            ["Fc4d:Video:X264Crf"] = "28",
        }).Build();
        using var provider = new ServiceCollection().AddVideoIo(configuration).AddVideoIo(configuration).BuildServiceProvider();

        Assert.IsType<FfmpegVideoReader>(provider.GetRequiredService<IVideoReader>());
        Assert.IsType<FfmpegVideoWriter>(provider.GetRequiredService<IVideoWriter>());
        Assert.NotNull(provider.GetRequiredService<VideoIntakeValidator>());
        Assert.Equal(30, provider.GetRequiredService<IOptions<VideoLimits>>().Value.MaxDurationSeconds);
        Assert.Equal(256L * 1024 * 1024, provider.GetRequiredService<IOptions<VideoLimits>>().Value.MaxBytes);
        Assert.Equal(28, provider.GetRequiredService<IOptions<FfmpegOptions>>().Value.X264Crf);
    }

    [Theory]
    [InlineData(1920, 1080, 512, 512, 288)]
    [InlineData(1080, 1920, 512, 288, 512)]
    [InlineData(101, 61, 512, 100, 60)]    // never upscaled; odd sides rounded down to even
    [InlineData(1280, 720, 101, 100, 56)]  // 101 x 56.8 -> even
    [InlineData(3, 3, 512, 2, 2)]
    public void Fit_KeepsAspect_NeverUpscales_AndGivesEvenSides(int width, int height, int maxSide, int expectedWidth, int expectedHeight)
    {
        Assert.Equal((expectedWidth, expectedHeight), FrameGeometry.Fit(width, height, maxSide));
    }
}
