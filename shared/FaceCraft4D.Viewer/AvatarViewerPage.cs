using System.Text.Json;

namespace FaceCraft4D.Viewer;

/// <summary>
/// Fills the page template: the import map (three, three/addons/, @sparkjsdev/spark under the asset base) and the
/// page's JSON configuration (run id, API base, asset base, polling, orbit and playback settings, missing modules).
/// Values are JSON-encoded with HTML-sensitive characters escaped, so nothing from the URL can break out.
/// </summary>
public static class AvatarViewerPage
{
    /// <param name="template">viewer.html</param>
    /// <param name="runId">The run shown (already validated).</param>
    /// <param name="apiBase">Where the API lives, e.g. <c>/api</c>.</param>
    /// <param name="assetBase">Where the viewer assets live, e.g. <c>/avatars/_viewer</c>.</param>
    public static string Render(string template, string runId, string apiBase, string assetBase, AvatarViewerOptions options, IReadOnlyList<string> missingModules)
    {
        var importMap = JsonSerializer.Serialize(new
        {
            imports = new Dictionary<string, string>
            {
                ["three"] = $"{assetBase}/vendor/three.module.min.js",
                ["three/addons/"] = $"{assetBase}/vendor/addons/",
                ["@sparkjsdev/spark"] = $"{assetBase}/vendor/spark.module.min.js",
            },
        });
        var config = JsonSerializer.Serialize(new
        {
            runId,
            apiBase,
            assetBase,
            pollSeconds = options.PollSeconds,
            autoRotate = options.AutoRotate,
            autoRotateDegreesPerSecond = options.AutoRotateDegreesPerSecond,
            autoPlay = options.AutoPlay,
            background = options.Background,
            missingModules,
            installHint = AvatarViewerAssets.InstallHint,
        });
        return template
            .Replace("{{IMPORT_MAP}}", importMap, StringComparison.Ordinal)
            .Replace("{{CONFIG}}", config, StringComparison.Ordinal)
            .Replace("{{ASSET_BASE}}", System.Net.WebUtility.HtmlEncode(assetBase), StringComparison.Ordinal)
            .Replace("{{RUN_ID}}", System.Net.WebUtility.HtmlEncode(runId), StringComparison.Ordinal);
    }
}
