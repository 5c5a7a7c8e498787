using System.Diagnostics;

namespace FaceCraft4D.Viewer.Tests.Support;

/// <summary>
/// Finds what the browser test needs — Node.js, <c>playwright-core</c> (npm, infra/node) and a Chromium binary
/// (Debian package <c>chromium</c>, or FC4D_CHROMIUM) — and runs the driver script.
/// </summary>
public static class BrowserEnvironment
{
    public const string Hint = "the browser test needs `apt-get install -y chromium` (or FC4D_CHROMIUM=/path/to/chrome) and `npm ci --prefix infra/node` (playwright-core 1.65.1)";

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "infra", "node", "package.json"))) return dir.FullName;
        throw new InvalidOperationException("repository root (infra/node/package.json) not found");
    }

    /// <summary>Node.js alone (the posing check runs the viewer's modules without a browser).</summary>
    public static string RequireNode() =>
        FindOnPath("node") ?? throw new InvalidOperationException($"missing node: {Hint}.");

    /// <summary>
    /// Copies the viewer's own ES modules (embedded resources <c>fc4d-viewer/*.js</c>, exactly what the page is served)
    /// into <paramref name="directory"/>, with a package.json that makes Node read them as modules.
    /// </summary>
    public static void ExtractViewerModules(string directory)
    {
        Directory.CreateDirectory(directory);
        var assembly = typeof(AvatarViewerAssets).Assembly;
        foreach (var asset in ViewerAssetCatalog.All.Where(a => a.EmbeddedName is not null && a.Path.EndsWith(".js", StringComparison.Ordinal)))
        {
            using var source = assembly.GetManifestResourceStream(asset.EmbeddedName!)!;
            using var target = File.Create(Path.Combine(directory, asset.Path));
            source.CopyTo(target);
        }
        File.WriteAllText(Path.Combine(directory, "package.json"), "{ \"type\": \"module\" }\n");
    }

    public static (string Node, string Playwright, string Chromium) Require()
    {
        var node = FindOnPath("node");
        var playwright = Path.Combine(RepoRoot(), "infra", "node", "node_modules", "playwright-core");
        var chromium = Environment.GetEnvironmentVariable("FC4D_CHROMIUM") is { Length: > 0 } env ? env
            : new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
        var missing = new List<string>();
        if (node is null) missing.Add("node");
        if (!File.Exists(Path.Combine(playwright, "index.mjs"))) missing.Add("infra/node/node_modules/playwright-core");
        if (chromium is null || !File.Exists(chromium)) missing.Add("chromium");
        if (missing.Count > 0) Assert.Fail($"missing {string.Join(", ", missing)}: {Hint}.");
        return (node!, playwright, chromium!);
    }

    /// <summary>Runs the driver; returns its combined output. Fails the test on a non-zero exit or timeout.</summary>
    public static async Task<string> RunScriptAsync(string node, string script, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"browser driver timed out after {timeout}: {await stderr}");
        }
        var output = await stdout + await stderr;
        if (process.ExitCode != 0) Assert.Fail($"browser driver exited with {process.ExitCode}: {output}");
        return output;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
