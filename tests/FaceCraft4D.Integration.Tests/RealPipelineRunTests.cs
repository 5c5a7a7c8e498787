using System.Text;
using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Xunit.Abstractions;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// What <c>./fc4d demo</c> does, at a smaller size and with no test doubles anywhere: the bundled sample portrait through
/// all ten stages on Azurite, the durable engine and a real GPU worker process (the CPU build, started the way the local
/// stack starts it) running the real stage implementations. The avatar's files must be there and readable, and every
/// stage must name the real backend that made its outputs.
/// </summary>
public sealed class RealPipelineRunTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Settings =
        "{\"renderSize\":48,\"viewCount\":4,\"sourceViewCount\":2,\"clipCount\":1,\"framesPerClip\":4," +
        "\"staticIterations\":60,\"coinIterations\":40,\"checkpointEvery\":20," +
        "\"trackingFirstFrameIterations\":10,\"trackingPerFrameIterations\":3,\"trackingGlobalEpochs\":1}";

    [Fact]
    public async Task The_sample_portrait_becomes_an_animatable_avatar_through_the_real_stages()
    {
        var repo = RepositoryLayout.Locate();
        await using var worker = await GpuWorkerServer.StartAsync(
            repo, 0, azurite.ConnectionString, maxConcurrentJobs: 2, azurite.DataDirectory, NullLogger.Instance, CancellationToken.None,
            TestConfiguration.SmallOutputs, TestGpuWorker.SharedKey);
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.BaseUrl], "realrun");
        var photo = await File.ReadAllBytesAsync(Path.Combine(repo.Root, "infra", "samples", "portrait.jpg"));

        var submission = await host.SubmitAsync(photo, Settings);
        var status = await host.WaitForEndAsync(submission.RunId, TimeSpan.FromMinutes(10));

        Assert.True(status.RuntimeStatus == "Completed", $"{status.RuntimeStatus}: {status.Error}");
        var backends = status.Output!.Backends;
        foreach (var stage in status.CustomStatus!.Stages)
            output.WriteLine($"{stage.Name,-18} {stage.Done}/{stage.Total} backend={stage.Backend}");
        output.WriteLine(RunTimingText.Of(status.Output!));
        Assert.Equal(PipelineStages.All.Count, backends.Count);
        Assert.DoesNotContain(backends.Values, b => b.Contains("synthetic", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("face-api.js+selfie-seg+guided", backends["preprocess"]);
        Assert.Equal("template", backends["shape-prior"]);
        Assert.Equal("warp", backends["enhance-view"]);
        Assert.Equal("rig", backends["animate-view"]);
        Assert.StartsWith("flame-tracker", backends["track-flame"]);
        Assert.StartsWith("gaussian-avatar+coin", backends["train-coin"]);

        // The canonical avatar: a standard 3DGS binary PLY with Gaussians.
        var ply = await ReadArtifactAsync(host, submission.RunId, "avatar.ply");
        var header = Encoding.ASCII.GetString(ply, 0, Math.Min(ply.Length, 4096));
        Assert.StartsWith("ply\nformat binary_little_endian 1.0", header);
        var vertexLine = header.Split('\n').Single(l => l.StartsWith("element vertex ", StringComparison.Ordinal));
        var gaussians = int.Parse(vertexLine["element vertex ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(gaussians > 1000, $"{gaussians} Gaussians");
        foreach (var property in new[] { "f_dc_0", "opacity", "scale_0", "rot_0" })
            Assert.Contains($"property float {property}\n", header);

        // The animation comes from the tracked clip, one frame per driven frame.
        using var index = JsonDocument.Parse(await ReadArtifactAsync(host, submission.RunId, "animation/index.json"));
        Assert.Equal("fc4d-avatar-animation/1", index.RootElement.GetProperty("format").GetString());
        Assert.Equal(gaussians, index.RootElement.GetProperty("gaussians").GetInt32());
        var clip = Assert.Single(index.RootElement.GetProperty("clips").EnumerateArray());
        Assert.Equal("track-flame", clip.GetProperty("source").GetString());
        Assert.Equal(4, clip.GetProperty("frames").GetInt32());
        Assert.True((await ReadArtifactAsync(host, submission.RunId, clip.GetProperty("file").GetString()!)).Length > 0);
        Assert.True((await ReadArtifactAsync(host, submission.RunId, "avatar_rig.safetensors")).Length > 0);
        Assert.StartsWith("GIF8", Encoding.ASCII.GetString(await ReadArtifactAsync(host, submission.RunId, "preview/turntable.gif"), 0, 4));

        // The evaluation measured the avatar against the portrait and the enhanced views.
        using var metrics = JsonDocument.Parse(await ReadArtifactAsync(host, submission.RunId, "metrics.json"));
        var psnr = metrics.RootElement.GetProperty("metrics").GetProperty("psnr").GetProperty("value").GetDouble();
        var ssim = metrics.RootElement.GetProperty("metrics").GetProperty("ssim").GetProperty("value").GetDouble();
        output.WriteLine($"{gaussians} Gaussians; reference view PSNR {psnr:F2} dB, SSIM {ssim:F3}");
        Assert.InRange(psnr, 6, 60);
        Assert.InRange(ssim, 0.2, 1);
    }

    private static async Task<byte[]> ReadArtifactAsync(LocalHostHarness host, string runId, string name)
    {
        var opened = await host.Runs.OpenArtifactAsync(runId, name, CancellationToken.None)
            ?? throw new Xunit.Sdk.XunitException($"artifact {name} is missing");
        await using var content = opened.Content;
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy);
        return copy.ToArray();
    }
}
