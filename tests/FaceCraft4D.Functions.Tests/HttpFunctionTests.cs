using System.Text.Json;
using FaceCraft4D.Api;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// The function classes called directly (the Functions host cannot run here), with a real DurableTaskClient of
/// the Durable Task in-memory engine and an in-memory blob store.
/// </summary>
public sealed class HttpFunctionTests : IAsyncLifetime
{
    private ApiTestHost host = null!;

    public async Task InitializeAsync() => host = await ApiTestHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task StartAvatar_accepts_a_photo_and_GetAvatar_reports_the_run()
    {
        var functions = ActivatorUtilities.CreateInstance<AvatarApiFunctions>(host.Services);
        var post = Request("POST", TestPortraits.Jpeg(5), "image/jpeg");

        await functions.Start(post.Request, host.Durable.Client);

        Assert.Equal(202, post.Response.StatusCode);
        var body = JsonDocument.Parse(ReadBody(post)).RootElement;
        var runId = body.GetProperty("runId").GetString()!;
        Assert.EndsWith($"/api/avatars/{runId}", post.Response.Headers.Location.ToString());
        Assert.NotNull(await host.Blobs.GetInfoAsync(StorageLayout.RunInput(runId, "portrait.jpg"), default));
        Assert.NotNull(await host.Durable.Client.GetInstanceAsync(runId));

        var get = Request("GET", [], null);
        await functions.Get(get.Request, runId, host.Durable.Client);
        Assert.Contains(get.Response.StatusCode, new[] { 200, 202 });
        Assert.Equal(runId, JsonDocument.Parse(ReadBody(get)).RootElement.GetProperty("instanceId").GetString());
    }

    [Fact]
    public async Task StartAvatar_refuses_a_non_image_with_400_and_starts_nothing()
    {
        var functions = ActivatorUtilities.CreateInstance<AvatarApiFunctions>(host.Services);
        var post = Request("POST", "hello"u8.ToArray(), "image/jpeg");

        await functions.Start(post.Request, host.Durable.Client);

        Assert.Equal(400, post.Response.StatusCode);
        Assert.Equal("not-an-image", JsonDocument.Parse(ReadBody(post)).RootElement.GetProperty("reason").GetString());
        var runs = new List<BlobInfo>();
        await foreach (var blob in host.Blobs.ListAsync(StorageLayout.RunsContainer, string.Empty, default))
        {
            runs.Add(blob);
        }

        Assert.Empty(runs);
    }

    [Fact]
    public async Task The_blob_trigger_moves_an_invalid_upload_aside_with_its_reason()
    {
        var upload = new BlobRef(StorageLayout.UploadsContainer, "x/broken.png");
        await host.Blobs.WriteAsync(upload, new BinaryData(TestPortraits.PngBombHeader()), "image/png", default);
        var trigger = ActivatorUtilities.CreateInstance<UploadBlobTrigger>(host.Services);

        var client = new Azure.Storage.Blobs.BlobClient(new Uri($"http://127.0.0.1:10000/devstoreaccount1/{upload}")); // never called
        await trigger.Run(client, upload.Name, host.Durable.Client, CancellationToken.None);

        var (moved, reason) = StorageLayout.RejectedUpload(upload.Name);
        Assert.Null(await host.Blobs.GetInfoAsync(upload, default));
        Assert.NotNull(await host.Blobs.GetInfoAsync(moved, default));
        Assert.Contains("decompression-bomb", (await host.Blobs.TryReadAsync(reason, default))!.ToString());
    }

    private (HttpRequest Request, HttpResponse Response) Request(string method, byte[] body, string? contentType)
    {
        var context = new DefaultHttpContext { RequestServices = host.Services };
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("fc4d.example");
        context.User = LocalCallerMiddleware.Principal("test-owner", isOperator: false);
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        context.Request.ContentType = contentType;
        context.Response.Body = new MemoryStream();
        return (context.Request, context.Response);
    }

    private static string ReadBody((HttpRequest Request, HttpResponse Response) exchange)
    {
        exchange.Response.Body.Position = 0;
        return new StreamReader(exchange.Response.Body).ReadToEnd();
    }
}
