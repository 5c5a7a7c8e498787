using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>
/// The worker's <c>POST /screen/video</c> for real: FFmpeg (video-io's reader and intake limits) and the face-api.js tiny
/// face detector, on videos made at test time with the ffmpeg CLI: the sample portrait with a head tilt (a face on every
/// frame), grey noise (no face) and a text file named
/// .mp4 (not a video). (The several-faces note is covered by <see cref="VideoScreenVerdictTests"/>: on a side-by-side
/// copy of the portrait's face the tiny detector reported one face per frame, and on FFmpeg's testsrc pattern three.)
/// </summary>
public sealed class VideoScreenEndpointTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fc4d-screentest-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Faces_are_counted_on_sampled_frames_and_bad_videos_are_refused_with_their_reason()
    {
        var portrait = Path.Combine(RepositoryLayout.Locate().Root, "infra", "samples", "portrait.jpg");
        var talking = await FfmpegAsync("talk.mp4", "-loop", "1", "-framerate", "25", "-i", portrait,
            "-vf", "scale=320:-2,rotate='0.1*sin(2*PI*t)':c=black,format=yuv420p", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast");
        var pattern = await FfmpegAsync("pattern.webm", "-f", "lavfi", "-i", "color=c=0x6a7b8c:size=320x240:rate=25:duration=2,noise=alls=25:allf=t", "-c:v", "libvpx-vp9", "-deadline", "realtime");
        var text = Path.Combine(folder, "notes.mp4");
        await File.WriteAllTextAsync(text, "this is not a video\n");
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(10));
        using var http = new HttpClient { BaseAddress = worker.Url, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestGpuWorker.SharedKey);

        var (status, body) = await PostAsync(http, talking);
        Assert.True(status == 200, body.ToString());
        var verdict = body.Deserialize<VideoScreening>(ContractJson.Options)!;
        Assert.True(verdict.Accepted);
        Assert.Equal(8, verdict.FramesSampled);
        Assert.True(verdict.FramesWithFace >= 6, $"{verdict.FramesWithFace} of 8 frames with a face");
        Assert.Equal(1, verdict.MostFaces);
        Assert.InRange(verdict.DurationSeconds, 1.9, 2.1);
        Assert.Equal(("h264", 320, 320), (verdict.Codec, verdict.Width, verdict.Height));
        Assert.Equal(50, verdict.FramesAt(25));

        (status, body) = await PostAsync(http, pattern);
        Assert.True(status == 422, body.ToString());
        Assert.Equal("no-face", body.GetProperty("reason").GetString());

        (status, body) = await PostAsync(http, text);
        Assert.InRange(status, 400, 422);
        Assert.Equal("not-a-video", body.GetProperty("reason").GetString());
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), "fc4d-screen-*").Where(d => d != folder && Directory.GetFiles(d).Any(f => f.EndsWith("video.mp4", StringComparison.Ordinal))));
    }

    private static async Task<(int Status, JsonElement Body)> PostAsync(HttpClient http, string path)
    {
        using var content = new StreamContent(File.OpenRead(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, "screen/video") { Content = content };
        request.Headers.Add("X-Fc4d-File-Name", Path.GetFileName(path));
        using var response = await http.SendAsync(request);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return ((int)response.StatusCode, document.RootElement.Clone());
    }

    private async Task<string> FfmpegAsync(string name, params string[] args)
    {
        var path = Path.Combine(folder, name);
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-y" }.Concat(args).Append(path))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stderr);
        return path;
    }
}
