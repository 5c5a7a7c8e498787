using System.Text.Json;
using FaceCraft4D.Viewer.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace FaceCraft4D.Viewer.Tests;

/// <summary>
/// The viewer page in headless Chromium (SwiftShader WebGL) against a test host serving a synthetic avatar: progress
/// while "running", then the avatar from several angles, expression playback and the orbit; no console errors.
/// </summary>
public sealed class ViewerBrowserTests(ITestOutputHelper output)
{
    private const string RunId = "fc4d-0123456789abcdef-89abcdef";
    private static readonly Rgb24 Background = new(0x1b, 0x1e, 0x23);

    [Fact]
    public async Task Viewer_ShowsProgress_ThenRendersTheAvatarFromSeveralAngles_AndPlaysExpressions()
    {
        var (node, playwright, chromium) = BrowserEnvironment.Require();
        var work = Path.Combine(Path.GetTempPath(), "fc4d-viewer-test-" + Guid.NewGuid().ToString("N"));
        var artifacts = Path.Combine(work, "artifacts");
        var shots = Path.Combine(work, "shots");
        var avatar = SyntheticAvatar.Create(count: 6000, seed: 7);
        await avatar.WriteArtifactsAsync(artifacts, frames: 7, CancellationToken.None);
        await using var host = await ViewerTestHost.StartAsync(RunId, artifacts);

        var log = await BrowserEnvironment.RunScriptAsync(node, Path.Combine(AppContext.BaseDirectory, "browser", "viewer-check.mjs"),
            [playwright, chromium, host.BaseUrl, RunId, shots], TimeSpan.FromSeconds(150));
        var resultsText = await File.ReadAllTextAsync(Path.Combine(shots, "results.json"));
        output.WriteLine(resultsText);
        output.WriteLine($"screenshots in {shots}");
        using var results = JsonDocument.Parse(resultsText);
        var r = results.RootElement;
        Assert.False(r.TryGetProperty("fatal", out var fatal), fatal.ToString() + log);

        // progress while running
        var progress = r.GetProperty("progress");
        Assert.Equal("Running", progress.GetProperty("status").GetString());
        Assert.Equal("Enhancing the orbit views", progress.GetProperty("message").GetString());
        var rows = progress.GetProperty("rows").EnumerateArray().Select(row => row.EnumerateArray().Select(c => c.GetString() ?? "").ToArray()).ToList();
        Assert.Equal(10, rows.Count);
        Assert.Equal(["enhance-view", "running", "7/22"], rows[3][..3]);
        Assert.Equal("completed", rows[0][1]);

        // the avatar
        Assert.Equal("ready", r.GetProperty("state").GetString());
        Assert.Equal("Completed", r.GetProperty("status").GetString());
        Assert.Equal(avatar.Count, r.GetProperty("splats").GetInt32());
        Assert.Equal(["jaw-open"], r.GetProperty("clips").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(r.GetProperty("consoleErrors").EnumerateArray());
        Assert.Empty(r.GetProperty("pageErrors").EnumerateArray());
        Assert.Empty(r.GetProperty("failedRequests").EnumerateArray());
        Assert.Empty(r.GetProperty("errors").EnumerateArray());

        var images = r.GetProperty("shots").EnumerateArray().Select(e => e.GetString()!)
            .ToDictionary(n => n, n => Image.Load<Rgb24>(Path.Combine(shots, n + ".png")));
        try
        {
            foreach (var (name, img) in images)
            {
                double fg = ScreenshotStats.ForegroundFraction(img, Background);
                output.WriteLine($"{name}: foreground {fg:P1}");
                Assert.True(fg > 0.05, $"{name} is (nearly) blank: {fg:P2} foreground");
            }
            string[] views = ["view-front", "view-left", "view-back", "view-right", "view-above"];
            for (int i = 0; i < views.Length; i++)
                for (int j = i + 1; j < views.Length; j++)
                {
                    double d = ScreenshotStats.MeanAbsoluteDifference(images[views[i]], images[views[j]]);
                    output.WriteLine($"{views[i]} vs {views[j]}: mean |diff| {d:F2}");
                    Assert.True(d > 2.0, $"{views[i]} and {views[j]} look the same ({d:F2})");
                }
            double open = ScreenshotStats.MeanAbsoluteDifference(images["anim-0"], images["anim-3"]);
            double closing = ScreenshotStats.MeanAbsoluteDifference(images["anim-3"], images["anim-6"]);
            double closedAgain = ScreenshotStats.MeanAbsoluteDifference(images["anim-0"], images["anim-6"]);
            output.WriteLine($"jaw frames 0-3 {open:F2}, 3-6 {closing:F2}, 0-6 {closedAgain:F2}");
            Assert.True(open > 0.5 && closing > 0.5, "expression playback does not change the render");
            Assert.True(closedAgain < open / 3, "frame 6 (closed) should look like frame 0 (closed)");
            double orbit = ScreenshotStats.MeanAbsoluteDifference(images["orbit-a"], images["orbit-b"]);
            output.WriteLine($"orbit a-b {orbit:F2}");
            Assert.True(orbit > 1.0, "auto-orbit did not move the camera");
            double turned = Math.Abs(r.GetProperty("orbitEnd").GetDouble() - r.GetProperty("orbitStart").GetDouble());
            output.WriteLine($"orbit turned {turned:F1} degrees in 2 s");
            Assert.True(turned > 1.0);
        }
        finally
        {
            foreach (var img in images.Values) img.Dispose();
        }
        Assert.True(host.StatusRequests >= 2);
        // passed: drop the screenshots (a failing run keeps them for inspection; set FC4D_KEEP_SCREENSHOTS=1 to keep always)
        if (Environment.GetEnvironmentVariable("FC4D_KEEP_SCREENSHOTS") != "1") Directory.Delete(work, recursive: true);
    }
}
