using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Viewer;

/// <summary>Maps the viewer on a minimal-API host.</summary>
public static class AvatarViewerEndpoints
{
    /// <summary>
    /// <c>GET {prefix}/{id}</c> → the viewer page; <c>GET {prefix}/_viewer/{**path}</c> → its assets. The page talks to
    /// <c>{apiBase}/avatars/{id}</c> and <c>{apiBase}/avatars/{id}/artifacts/...</c>. Options come from DI
    /// (<see cref="AddAvatarViewer"/>) when registered, else the <c>Viewer</c> configuration section, else defaults, so
    /// a host needs only this one call.
    /// </summary>
    public static IEndpointRouteBuilder MapAvatarViewer(this IEndpointRouteBuilder app, string prefix = "/avatars", string apiBase = "/api")
    {
        prefix = "/" + prefix.Trim('/');
        var assetBase = $"{prefix}/_viewer";
        var services = app.ServiceProvider;
        var options = services.GetService<IOptions<AvatarViewerOptions>>()?.Value
            ?? services.GetService<IConfiguration>()?.GetSection(AvatarViewerOptions.SectionName).Get<AvatarViewerOptions>()
            ?? new AvatarViewerOptions();
        var handlers = services.GetService<AvatarViewerHandlers>() ?? new AvatarViewerHandlers(new AvatarViewerAssets(options));
        app.MapGet($"{assetBase}/{{**path}}", (HttpContext c, string path) => handlers.ServeAssetAsync(c, path));
        app.MapGet($"{prefix}/{{id}}", (HttpContext c, string id) => handlers.ServePageAsync(c, id, apiBase, assetBase));
        return app;
    }

    /// <summary>Registers <see cref="AvatarViewerOptions"/> (section <c>Viewer</c>), the assets and the handlers.</summary>
    public static IServiceCollection AddAvatarViewer(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var builder = services.AddOptions<AvatarViewerOptions>();
        if (configuration is not null) builder.Bind(configuration.GetSection(AvatarViewerOptions.SectionName));
        services.AddSingleton(sp => new AvatarViewerAssets(sp.GetRequiredService<IOptions<AvatarViewerOptions>>().Value));
        services.AddSingleton<AvatarViewerHandlers>();
        return services;
    }
}
