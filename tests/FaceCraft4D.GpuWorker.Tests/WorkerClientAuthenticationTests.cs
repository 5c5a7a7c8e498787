using Azure.Core;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>The orchestrator side: the pipeline's worker client authenticates with the stack's key, or with a managed-identity token.</summary>
public sealed class WorkerClientAuthenticationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task The_pipeline_client_with_the_stack_key_runs_a_job_and_without_it_is_refused()
    {
        var run = "fc4d-00000000000000f6-0000000f";
        var portrait = new BlobRef("runs", $"{run}/input/portrait.png");
        await azurite.CreateBlobStore().WriteAsync(portrait, BinaryData.FromString("photo"), "image/png", default);
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(20));
        var request = new StageRequest(run, PipelineStage.Preprocess, "0", new Dictionary<string, BlobRef> { ["input/portrait"] = portrait },
            PipelinePresets.Preview, new Dictionary<string, string>());

        var keyed = Client(worker.Url, TestGpuWorker.SharedKey);
        var reply = await keyed.SubmitJobAsync(request, default);
        Assert.Equal(request.IdempotencyKey(), reply.Value.JobId);

        var keyless = Client(worker.Url, sharedKey: null);
        var refused = await Assert.ThrowsAsync<GpuWorkerUnavailableException>(() => keyless.GetJobAsync(request, default));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_managed_identity_token_for_the_worker_scope_is_sent_and_reused_until_near_expiry()
    {
        var clock = new ManualClock();
        var credential = new CountingCredential(clock);
        var options = Options.Create(new GpuWorkerOptions { BaseUrl = "http://worker", TokenScope = "api://11111111-2222-3333-4444-555555555555/.default" });
        var token = new WorkerAccessToken(options, clock, NullLogger<WorkerAccessToken>.Instance, credential);

        Assert.Equal("token-1", await token.GetAsync(default));
        clock.Advance(TimeSpan.FromMinutes(50)); // expires at 60 min: still more than 5 min left
        Assert.Equal("token-1", await token.GetAsync(default));
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal("token-2", await token.GetAsync(default));
        Assert.Equal(["api://11111111-2222-3333-4444-555555555555/.default"], credential.Scopes.Distinct());

        // The handler puts it on the request.
        using var handler = new WorkerAuthorizationHandler(token) { InnerHandler = new EchoAuthorization() };
        using var http = new HttpClient(handler);
        Assert.Equal("Bearer token-2", await http.GetStringAsync("http://worker/api/capabilities"));
    }

    private static IGpuWorkerClient Client(Uri worker, string? sharedKey)
    {
        var settings = new Dictionary<string, string?>(TestConfiguration.Fast("unused").ToDictionary(kv => kv.Key, kv => (string?)kv.Value))
        {
            ["Fc4d:GpuWorker:BaseUrl"] = worker.ToString(),
            ["Fc4d:GpuWorker:SharedKey"] = sharedKey,
            ["Fc4d:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddFc4dPipeline(configuration);
        return services.BuildServiceProvider().GetRequiredService<IGpuWorkerClient>();
    }

    private sealed class EchoAuthorization : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(request.Headers.Authorization?.ToString() ?? "none") });
    }

    private sealed class CountingCredential(TimeProvider clock) : TokenCredential
    {
        private int issued;

        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return ValueTask.FromResult(new AccessToken($"token-{++issued}", clock.GetUtcNow().AddMinutes(60)));
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
