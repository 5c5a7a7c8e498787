using System.Text;
using System.Text.Json;
using FaceCraft4D.Api;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>Malformed requests to the shared HTTP handlers answer 400 problem documents, never 500s or unbounded work.</summary>
public sealed class ApiRequestValidationTests : IAsyncLifetime
{
    private ApiTestHost host = null!;

    public async Task InitializeAsync() =>
        host = await ApiTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Fc4d:Api:MaxListTop"] = "2" });

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Theory]
    [InlineData("""{"blob": 42}""", "blob")]
    [InlineData("""{"blob": ["uploads/a.jpg"]}""", "blob")]
    [InlineData("""{"blob": "uploads/a.jpg", "preset": 7}""", "preset")]
    [InlineData("""{"blob": "uploads/a.jpg", "preset": {"name": "x"}}""", "preset")]
    [InlineData("""{"blob": "uploads/a.jpg", "settings": [1, 2]}""", "settings")]
    [InlineData("""{"blob": "uploads/a.jpg", "settings": "fast"}""", "settings")]
    public async Task Avatar_submission_with_a_field_of_the_wrong_type_is_a_400_naming_the_field(string json, string field)
    {
        await host.Blobs.WriteAsync(new BlobRef(StorageLayout.UploadsContainer, "a.jpg"), new BinaryData(TestPortraits.Jpeg(5)), "image/jpeg", default);
        var context = Context("POST", json, "application/json");

        await Api().Handlers(host.Durable.Client).SubmitAsync(context);

        var problem = Problem(context, 400);
        Assert.Equal("invalid-request", problem.GetProperty("reason").GetString());
        Assert.Contains($"'{field}'", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"uploads/a.jpg\"")]
    public async Task Avatar_submission_whose_body_is_not_a_JSON_object_is_a_400(string body)
    {
        var context = Context("POST", body, "application/json");

        await Api().Handlers(host.Durable.Client).SubmitAsync(context);

        Assert.Equal("invalid-json", Problem(context, 400).GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("""{"set": 5}""", "set", "invalid-request")]
    [InlineData("""{"set": "default", "preset": ["preview"]}""", "preset", "invalid-request")]
    [InlineData("""{"set": "default", "settings": 3}""", "settings", "invalid-request")]
    [InlineData("""{"set": "default", "settings": [{}]}""", "settings", "invalid-request")]
    public async Task Evaluation_request_with_a_field_of_the_wrong_type_is_a_400_naming_the_field(string json, string field, string reason)
    {
        var context = Context("POST", json, "application/json");

        await Api().EvaluationHandlers(host.Durable.Client).StartAsync(context);

        var problem = Problem(context, 400);
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Contains($"'{field}'", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("<xml/>")]
    [InlineData("[\"default\"]")]
    public async Task Evaluation_request_whose_body_is_not_a_JSON_object_is_a_400(string body)
    {
        var context = Context("POST", body, "application/json");

        await Api().EvaluationHandlers(host.Durable.Client).StartAsync(context);

        Assert.Equal("invalid-json", Problem(context, 400).GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("1.5")]
    public async Task Listing_with_a_top_that_is_not_a_positive_integer_is_a_400(string top)
    {
        var context = Context("GET", string.Empty, null, $"?top={top}");

        await Api().Handlers(host.Durable.Client).ListAsync(context);

        Assert.Equal("invalid-top", Problem(context, 400).GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("100")]
    [InlineData("99999999999999")]
    public async Task Listing_clamps_top_to_the_configured_maximum(string top)
    {
        var handlers = Api().Handlers(host.Durable.Client);
        for (var seed = 1; seed <= 3; seed++)
        {
            var post = Context("POST", TestPortraits.Jpeg(seed), "image/jpeg");
            await handlers.SubmitAsync(post);
            Assert.Equal(202, post.Response.StatusCode);
        }

        var context = Context("GET", string.Empty, null, $"?top={top}");
        await handlers.ListAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(2, JsonDocument.Parse(TestCallers.Body(context)).RootElement.GetArrayLength());
    }

    private ClientBoundApi Api() => host.Services.GetRequiredService<ClientBoundApi>();

    private DefaultHttpContext Context(string method, string body, string? contentType, string query = "") =>
        Context(method, Encoding.UTF8.GetBytes(body), contentType, query);

    private DefaultHttpContext Context(string method, byte[] body, string? contentType, string query = "") =>
        TestCallers.Context(host.Services, method, "test-owner", body: body, contentType: contentType, query: query);

    private static JsonElement Problem(HttpContext context, int status)
    {
        var text = TestCallers.Body(context);
        Assert.True(context.Response.StatusCode == status, $"Expected {status}, got {context.Response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
