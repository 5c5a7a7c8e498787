using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Viewer.Tests.Support;

/// <summary>
/// A small Kestrel host with the two API routes the viewer uses — <c>GET /api/avatars/{id}</c> (the real
/// <see cref="AvatarStatusView"/> JSON: "Running" with per-stage progress until <c>POST /test/complete</c>, then
/// "Completed") and <c>GET /api/avatars/{id}/artifacts/{**name}</c> (files of a folder) — plus
/// <see cref="AvatarViewerEndpoints.MapAvatarViewer"/> exactly as the local host maps it.
/// </summary>
public sealed class ViewerTestHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private volatile bool completed;

    private ViewerTestHost(WebApplication app, string runId)
    {
        this.app = app;
        RunId = runId;
    }

    public string RunId { get; }

    public string BaseUrl { get; private set; } = "";

    public int StatusRequests;

    public static async Task<ViewerTestHost> StartAsync(string runId, string artifactRoot)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var host = new ViewerTestHost(app, runId);

        app.MapGet("/api/avatars/{id}", (HttpContext c, string id) =>
        {
            Interlocked.Increment(ref host.StatusRequests);
            if (id != runId) return Results.NotFound();
            var view = host.completed ? host.CompletedView() : host.RunningView();
            if (!host.completed) c.Response.Headers.RetryAfter = "1";
            return Results.Json(view, ContractJson.Options, statusCode: host.completed ? 200 : 202);
        });
        app.MapGet("/api/avatars/{id}/artifacts/{**name}", (string id, string name) =>
        {
            var root = Path.GetFullPath(artifactRoot);
            var path = Path.GetFullPath(Path.Combine(root, name));
            if (id != runId || !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path)) return Results.NotFound();
            return Results.File(path, "application/octet-stream");
        });
        app.MapPost("/test/complete", () => { host.completed = true; return Results.Ok(); });
        app.MapAvatarViewer();
        await app.StartAsync();
        host.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return host;
    }

    private static readonly string[] StageNames = PipelineStages.All.Select(s => s.Slug()).ToArray();

    private AvatarStatusView RunningView()
    {
        var stages = StageNames.Select((name, i) => i switch
        {
            < 3 => new StageProgress(name, StageState.Completed, 1, 1, i == 0 ? 1 : 0, 1, "reference"),
            3 => new StageProgress(name, StageState.Running, 7, 22, 2, 9, "depth-warp", "7 of 22 views"),
            _ => new StageProgress(name, StageState.Pending, 0, name == "animate-view" ? 96 : 1, 0, 0),
        }).ToList();
        return View("Running", new RunProgress(RunId, "standard", stages, "enhance-view", "Enhancing the orbit views"), null);
    }

    private AvatarStatusView CompletedView()
    {
        var stages = StageNames.Select(name => new StageProgress(name, StageState.Completed, 1, 1, 0, 1, "reference")).ToList();
        var output = new RunOutput(RunId, new Dictionary<string, BlobRef> { ["avatar.ply"] = new("avatars", $"{RunId}/avatar.ply") },
            StageNames.ToDictionary(s => s, _ => "reference"), stages);
        return View("Completed", new RunProgress(RunId, "standard", stages, null, "done"), output);
    }

    private AvatarStatusView View(string status, RunProgress progress, RunOutput? output) =>
        new(RunId, "FaceCraft4DPipeline", status, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow, progress, output, null,
            ManagementUrls.For(BaseUrl, RunId));

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
