using System.Reflection;

namespace FaceCraft4D.Viewer;

/// <summary>
/// Opens viewer files: embedded resources for our own files, and for the vendored modules the first folder that has
/// them — <see cref="AvatarViewerOptions.VendorPath"/>, then <c>{app}/fc4d-viewer/vendor</c> (the build copy), then
/// <c>infra/node/node_modules</c> above the working or app directory (a development checkout).
/// </summary>
public sealed class AvatarViewerAssets(AvatarViewerOptions options)
{
    public const string InstallHint = "run `npm ci --prefix infra/node` in the repository root and rebuild";
    private static readonly Assembly Self = typeof(AvatarViewerAssets).Assembly;

    public AvatarViewerOptions Options { get; } = options;

    /// <summary>The page template text.</summary>
    public async Task<string> ReadPageTemplateAsync(CancellationToken ct)
    {
        await using var s = Self.GetManifestResourceStream(ViewerAssetCatalog.PageResource)
            ?? throw new InvalidOperationException($"embedded resource {ViewerAssetCatalog.PageResource} is missing");
        using var reader = new StreamReader(s);
        return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
    }

    /// <summary>A readable stream of the asset, or null when a vendored module is not installed.</summary>
    public Stream? Open(ViewerAsset asset)
    {
        if (asset.EmbeddedName is { } name) return Self.GetManifestResourceStream(name);
        var file = ResolveVendorFile(asset);
        return file is null ? null : new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
    }

    /// <summary>Where a vendored module would be read from (null when absent everywhere).</summary>
    public string? ResolveVendorFile(ViewerAsset asset)
    {
        var relative = asset.Path["vendor/".Length..];
        if (!string.IsNullOrWhiteSpace(Options.VendorPath))
        {
            var configured = Path.Combine(Options.VendorPath, relative);
            return File.Exists(configured) ? configured : null;
        }
        var copied = Path.Combine(AppContext.BaseDirectory, "fc4d-viewer", "vendor", relative);
        if (File.Exists(copied)) return copied;
        if (asset.NodeModulesPath is null) return null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "infra", "node", "node_modules", asset.NodeModulesPath);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>Vendored modules that cannot be found (empty when the viewer is complete).</summary>
    public IReadOnlyList<string> MissingVendorFiles() =>
        ViewerAssetCatalog.All.Where(a => a.IsVendor && ResolveVendorFile(a) is null).Select(a => a.Path).ToList();
}
