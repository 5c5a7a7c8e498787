using FaceCraft4D.Contracts;
using Microsoft.AspNetCore.Http;

namespace FaceCraft4D.Viewer;

/// <summary>
/// The two viewer responses, independent of routing so that both hosts can mount them: the page for a run and the
/// allow-listed assets. Unknown run ids and asset paths answer 404.
/// </summary>
public sealed class AvatarViewerHandlers(AvatarViewerAssets assets)
{
    /// <summary>GET page: <c>text/html</c> for a syntactically valid run id (the page itself reports unknown runs).</summary>
    public async Task ServePageAsync(HttpContext context, string id, string apiBase, string assetBase)
    {
        if (!RunIdentity.IsValid(id))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"'{id}' is not a run id.", context.RequestAborted).ConfigureAwait(false);
            return;
        }
        var template = await assets.ReadPageTemplateAsync(context.RequestAborted).ConfigureAwait(false);
        var html = AvatarViewerPage.Render(template, id, apiBase, assetBase, assets.Options, assets.MissingVendorFiles());
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        await context.Response.WriteAsync(html, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>GET asset by its path under the asset base.</summary>
    public async Task ServeAssetAsync(HttpContext context, string path)
    {
        var asset = ViewerAssetCatalog.Find(path);
        var stream = asset is null ? null : assets.Open(asset);
        if (asset is null || stream is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            var why = asset is null ? "unknown viewer asset" : $"viewer module not installed; {AvatarViewerAssets.InstallHint}";
            await context.Response.WriteAsync($"{path}: {why}.", context.RequestAborted).ConfigureAwait(false);
            return;
        }
        await using (stream)
        {
            context.Response.ContentType = asset.ContentType;
            context.Response.Headers.CacheControl = asset.IsVendor ? "public, max-age=86400" : "no-cache";
            context.Response.Headers["X-Content-Type-Options"] = "nosniff";
            if (stream.CanSeek) context.Response.ContentLength = stream.Length;
            await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
