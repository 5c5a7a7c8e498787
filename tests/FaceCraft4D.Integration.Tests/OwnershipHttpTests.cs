using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// Black box against the real local host in token mode with two users: without a token nothing is served, a foreign
/// run is a 404 on every route (and absent from the listing), the same photo makes one run per owner, share links
/// only read, and cross-site or DNS-rebinding requests are refused.
/// </summary>
public sealed class OwnershipHttpTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string AliceToken = "alice-local-token-0001";
    private const string BobToken = "bob-local-token-0000002";

    [Fact]
    public async Task Two_users_in_token_mode_see_and_change_only_their_own_runs()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50));
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "owners", extra: new Dictionary<string, string>
        {
            ["Fc4d:Local:Auth:Mode"] = "Token",
            ["Fc4d:Local:Auth:Tokens:0:Token"] = AliceToken,
            ["Fc4d:Local:Auth:Tokens:0:Owner"] = "alice",
            ["Fc4d:Local:Auth:Tokens:1:Token"] = BobToken,
            ["Fc4d:Local:Auth:Tokens:1:Owner"] = "bob",
            ["Fc4d:Share:Key"] = Convert.ToBase64String(Encoding.ASCII.GetBytes("an integration-test share key, 32+ bytes")),
        });
        var http = host.Http;
        var photo = TestPortraits.Jpeg(57);

        // No token: nothing is served.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/avatars")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/avatars", HttpApiTests.Multipart(photo, "p.jpg", TestConfiguration.SmallRunSettings))).StatusCode);

        var runId = await SubmitAsync(http, AliceToken, photo);
        var missing = "fc4d-0123456789abcdef-01234567";

        // Bob, on every run route: exactly what a missing run answers.
        foreach (var (method, path) in RunRoutes)
        {
            using var foreign = await SendAsync(http, BobToken, method, path.Replace("{id}", runId, StringComparison.Ordinal));
            using var absent = await SendAsync(http, BobToken, method, path.Replace("{id}", missing, StringComparison.Ordinal));
            var foreignBody = await foreign.Content.ReadAsStringAsync();
            Assert.True(foreign.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)foreign.StatusCode} {foreignBody}");
            Assert.Equal(WithoutTraceId(await absent.Content.ReadAsStringAsync()).Replace(missing, "ID", StringComparison.Ordinal),
                WithoutTraceId(foreignBody).Replace(runId, "ID", StringComparison.Ordinal));
            Assert.DoesNotContain("alice", foreignBody, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(runId, await ListAsync(http, BobToken));
        Assert.Contains(runId, await ListAsync(http, AliceToken));
        Assert.NotEqual(HttpStatusCode.NotFound, (await SendAsync(http, AliceToken, HttpMethod.Get, $"/api/avatars/{runId}")).StatusCode);

        // The same photo and settings from Bob: his own run, not Alice's.
        var bobsRun = await SubmitAsync(http, BobToken, photo);
        Assert.NotEqual(runId, bobsRun);

        // Evaluation batches are owned too.
        using var evaluation = await SendAsync(http, AliceToken, HttpMethod.Post, "/api/evaluations", new StringContent("""{"set": "owners"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, evaluation.StatusCode);
        var batchId = JsonDocument.Parse(await evaluation.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(http, BobToken, HttpMethod.Get, $"/api/evaluations/{batchId}")).StatusCode);
        Assert.NotEqual(HttpStatusCode.NotFound, (await SendAsync(http, AliceToken, HttpMethod.Get, $"/api/evaluations/{batchId}")).StatusCode);

        // A page of another site, or a request addressed to another host name, changes nothing.
        using (var crossSite = new HttpRequestMessage(HttpMethod.Delete, $"/api/avatars/{runId}?deleteData=true"))
        {
            crossSite.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AliceToken);
            crossSite.Headers.Add("Origin", "http://evil.example");
            using var refused = await http.SendAsync(crossSite);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("cross-site-request", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString());
        }

        using (var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/avatars"))
        {
            rebound.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AliceToken);
            rebound.Headers.Host = "evil.example";
            Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(rebound)).StatusCode);
        }

        // A share link: the viewer and the read routes without a token, nothing that changes the run.
        using var share = await SendAsync(http, AliceToken, HttpMethod.Post, $"/api/avatars/{runId}/share?ttl=1");
        Assert.Equal(HttpStatusCode.Created, share.StatusCode);
        var viewerUrl = new Uri(JsonDocument.Parse(await share.Content.ReadAsStringAsync()).RootElement.GetProperty("url").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(viewerUrl.PathAndQuery)).StatusCode);
        Assert.Contains((await http.GetAsync($"/api/avatars/{runId}{viewerUrl.Query}")).StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Accepted });
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/avatars/{runId}/artifacts{viewerUrl.Query}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync($"/api/avatars/{runId}/terminate{viewerUrl.Query}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.DeleteAsync($"/api/avatars/{runId}{viewerUrl.Query}&deleteData=true")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/api/avatars/{bobsRun}{viewerUrl.Query}")).StatusCode);

        // Alice ends and deletes her run; Bob's is untouched.
        using (await SendAsync(http, AliceToken, HttpMethod.Post, $"/api/avatars/{runId}/terminate"))
        {
        }

        await WaitUntilEndedAsync(http, AliceToken, runId);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, AliceToken, HttpMethod.Delete, $"/api/avatars/{runId}?deleteData=true")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(http, AliceToken, HttpMethod.Get, $"/api/avatars/{runId}")).StatusCode);
        Assert.Contains(bobsRun, await ListAsync(http, BobToken));
    }

    private static readonly (HttpMethod Method, string Path)[] RunRoutes =
    [
        (HttpMethod.Get, "/api/avatars/{id}"),
        (HttpMethod.Get, "/api/avatars/{id}/artifacts"),
        (HttpMethod.Get, "/api/avatars/{id}/artifacts/avatar.ply"),
        (HttpMethod.Post, "/api/avatars/{id}/terminate"),
        (HttpMethod.Post, "/api/avatars/{id}/share"),
        (HttpMethod.Delete, "/api/avatars/{id}?deleteData=true"),
    ];

    /// <summary>The body without its per-request trace id (the only thing that may differ).</summary>
    private static string WithoutTraceId(string problem) => Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "\"traceId\":\"\"");

    private static async Task<string> SubmitAsync(HttpClient http, string token, byte[] photo)
    {
        using var response = await SendAsync(http, token, HttpMethod.Post, "/api/avatars", HttpApiTests.Multipart(photo, "portrait.jpg", TestConfiguration.SmallRunSettings));
        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("runId").GetString()!;
    }

    private static async Task<List<string>> ListAsync(HttpClient http, string token)
    {
        using var response = await SendAsync(http, token, HttpMethod.Get, "/api/avatars");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(r => r.GetProperty("runId").GetString()!).ToList();
    }

    private static async Task WaitUntilEndedAsync(HttpClient http, string token, string runId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            using var status = await SendAsync(http, token, HttpMethod.Get, $"/api/avatars/{runId}");
            if (status.StatusCode != HttpStatusCode.Accepted)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{runId} did not end");
            await Task.Delay(200);
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string token, HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }
}
