using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Testing;

/// <summary>
/// A Kestrel server on 127.0.0.1 (random port) serving in-memory files with HTTP Range support, like the upstream
/// hosts. Records every request; can drop the connection half-way through one file once.
/// </summary>
public sealed class WeightsServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, byte[]> files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Bytes, Func<bool>? Received)> dropOnce = new(StringComparer.Ordinal);

    private WeightsServer(WebApplication app) => this.app = app;

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>Every request: path and the Range header (null when none).</summary>
    public ConcurrentQueue<(string Path, string? Range)> Requests { get; } = new();

    public static async Task<WeightsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new WeightsServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return server;
    }

    /// <summary>Serves <paramref name="content"/> at <paramref name="path"/> (e.g. <c>/weights.example/org/a.pth</c>).</summary>
    public void Serve(string path, byte[] content) => files[path] = content;

    /// <summary>
    /// The next response for <paramref name="path"/> stops after <paramref name="bytes"/> bytes and aborts the
    /// connection, once <paramref name="received"/> says the client has them (an abort can discard data in flight).
    /// </summary>
    public void DropConnectionOnceAfter(string path, long bytes, Func<bool>? received = null) => dropOnce[path] = (bytes, received);

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        string? range = context.Request.Headers.Range.Count > 0 ? context.Request.Headers.Range.ToString() : null;
        Requests.Enqueue((path, range));
        if (!files.TryGetValue(path, out var content))
        {
            context.Response.StatusCode = (int)HttpStatusCode.NotFound;
            return;
        }
        long start = 0;
        if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (start >= content.Length)
            {
                context.Response.StatusCode = (int)HttpStatusCode.RequestedRangeNotSatisfiable;
                return;
            }
            context.Response.StatusCode = (int)HttpStatusCode.PartialContent;
            context.Response.Headers.ContentRange = $"bytes {start}-{content.Length - 1}/{content.Length}";
        }
        context.Response.Headers.AcceptRanges = "bytes";
        context.Response.ContentLength = content.Length - start;
        if (dropOnce.TryRemove(path, out var drop))
        {
            int count = (int)Math.Min(drop.Bytes, content.Length - start);
            await context.Response.Body.WriteAsync(content.AsMemory((int)start, count));
            await context.Response.Body.FlushAsync();
            for (int i = 0; i < 500 && drop.Received is not null && !drop.Received(); i++) await Task.Delay(20);
            context.Abort();
            return;
        }
        await context.Response.Body.WriteAsync(content.AsMemory((int)start));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
