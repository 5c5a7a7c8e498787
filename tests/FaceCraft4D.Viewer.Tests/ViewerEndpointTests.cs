using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using FaceCraft4D.Viewer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Viewer.Tests;

public sealed class ViewerEndpointTests
{
    private const string RunId = "fc4d-0123456789abcdef-89abcdef";

    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapAvatarViewer();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    [Fact]
    public async Task Page_HasTheImportMapAndConfig_AndNoExternalResources()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        using var response = await client.GetAsync($"/avatars/{RunId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var html = await response.Content.ReadAsStringAsync();

        var importMap = JsonDocument.Parse(Regex.Match(html, "<script type=\"importmap\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value);
        Assert.Equal("/avatars/_viewer/vendor/three.module.min.js", importMap.RootElement.GetProperty("imports").GetProperty("three").GetString());
        Assert.Equal("/avatars/_viewer/vendor/spark.module.min.js", importMap.RootElement.GetProperty("imports").GetProperty("@sparkjsdev/spark").GetString());
        var config = JsonDocument.Parse(Regex.Match(html, "<script id=\"fc4d-config\" type=\"application/json\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value).RootElement;
        Assert.Equal(RunId, config.GetProperty("runId").GetString());
        Assert.Equal("/api", config.GetProperty("apiBase").GetString());
        Assert.Empty(config.GetProperty("missingModules").EnumerateArray()); // the build copied them
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
    }

    [Theory]
    [InlineData("/avatars/not-a-run-id")]
    [InlineData("/avatars/FC4D-0123456789ABCDEF-89ABCDEF")]
    [InlineData("/avatars/_viewer/unknown.js")]
    [InlineData("/avatars/_viewer/vendor/../../../../etc/passwd")]
    [InlineData("/avatars/_viewer/vendor%2F..%2F..%2Fappsettings.json")]
    public async Task UnknownRunsAndAssets_Are404(string path)
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("viewer.js", "text/javascript", 2_000)]
    [InlineData("avatar-animation.js", "text/javascript", 2_000)]
    [InlineData("safetensors.js", "text/javascript", 2_000)]
    [InlineData("viewer.css", "text/css", 500)]
    [InlineData("vendor/three.module.min.js", "text/javascript", 10_000)]
    [InlineData("vendor/three.core.min.js", "text/javascript", 100_000)]
    [InlineData("vendor/addons/controls/OrbitControls.js", "text/javascript", 10_000)]
    [InlineData("vendor/spark.module.min.js", "text/javascript", 1_000_000)]
    [InlineData("vendor/LICENSE.spark.txt", "text/plain", 500)]
    public async Task Assets_AreServedWithTheirTypes(string asset, string mediaType, int minBytes)
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        using var response = await client.GetAsync($"/avatars/_viewer/{asset}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length >= minBytes);
    }

    [Fact]
    public async Task MissingVendorModules_AreReportedWithTheInstallHint()
    {
        var empty = Directory.CreateTempSubdirectory("fc4d-viewer-empty-vendor-");
        try
        {
            var (app, client) = await StartAsync(s => s.AddAvatarViewer().Configure<AvatarViewerOptions>(o => o.VendorPath = empty.FullName));
            await using var _ = app;
            using var asset = await client.GetAsync("/avatars/_viewer/vendor/spark.module.min.js");
            Assert.Equal(HttpStatusCode.NotFound, asset.StatusCode);
            Assert.Contains("npm ci --prefix infra/node", await asset.Content.ReadAsStringAsync());
            var html = await client.GetStringAsync($"/avatars/{RunId}");
            Assert.Contains("vendor/spark.module.min.js", Regex.Match(html, "\"missingModules\":\\[(.*?)\\]").Groups[1].Value);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    private static string EmbeddedScript(string path)
    {
        using var s = typeof(AvatarViewerAssets).Assembly.GetManifestResourceStream($"fc4d-viewer/{path}")
                      ?? throw new InvalidOperationException($"{path} is not embedded");
        return new StreamReader(s).ReadToEnd();
    }

    private static List<string> Imports(string js) => Regex.Matches(js, "from '([^']+)'").Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public void EveryAssetTheScriptsImport_IsInTheCatalog()
    {
        Assert.Equal(["three", "three/addons/controls/OrbitControls.js", "@sparkjsdev/spark", "./avatar-animation.js"], Imports(EmbeddedScript("viewer.js")));
        Assert.Equal(["./safetensors.js"], Imports(EmbeddedScript("avatar-animation.js")));
        Assert.Empty(Imports(EmbeddedScript("safetensors.js")));
        // relative imports resolve next to viewer.js under the asset base: each must be an embedded catalog entry
        foreach (var module in new[] { "avatar-animation.js", "safetensors.js" })
            Assert.NotNull(ViewerAssetCatalog.Find(module)?.EmbeddedName);
        Assert.NotNull(ViewerAssetCatalog.Find("vendor/addons/controls/OrbitControls.js"));
        Assert.NotNull(ViewerAssetCatalog.Find("vendor/addons/postprocessing/Pass.js")); // imported by Spark
    }

    [Fact]
    public void Script_ReadsTheExportStagesAnimationFormatAndFiles()
    {
        // the viewer and the Export stage agree on the format tag and the tensor names the page reads
        var animation = EmbeddedScript("avatar-animation.js");
        Assert.Contains($"'{FaceCraft4D.Stages.Export.AnimationFile.FormatTag}'", animation);
        foreach (var tensor in new[] { "binding", "local_xyz", "local_rotation", "local_log_scale", "triangle_centers", "triangle_rotations", "triangle_scales" })
            Assert.Contains($"'{tensor}'", animation);
        var viewer = EmbeddedScript("viewer.js");
        Assert.Contains($"'/artifacts/{FaceCraft4D.Stages.Export.ExportFiles.AnimationIndex}'", viewer);
        Assert.Contains($"'/artifacts/{FaceCraft4D.Stages.Export.ExportFiles.Ply}'", viewer);
    }

    [Fact]
    public async Task Page_CarriesThePlaybackSettings()
    {
        var (app, client) = await StartAsync(s => s.AddAvatarViewer().Configure<AvatarViewerOptions>(o => o.AutoPlay = false));
        await using var _ = app;
        var html = await client.GetStringAsync($"/avatars/{RunId}");
        var config = JsonDocument.Parse(Regex.Match(html, "<script id=\"fc4d-config\" type=\"application/json\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value).RootElement;
        Assert.False(config.GetProperty("autoPlay").GetBoolean());
        // the controls the script drives are on the page
        foreach (var id in new[] { "clip", "play", "frame", "frame-label", "anim-controls", "anim-note" })
            Assert.Contains($"id=\"{id}\"", html);
    }
}
