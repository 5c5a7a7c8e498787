using System.Reflection;
using FaceCraft4D.Functions;
using Microsoft.Azure.Functions.Worker;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// What the Functions app exposes behind App Service authentication: no function keys (the platform signs callers in,
/// the handlers check them), and under <c>viewer/</c>, the one path the platform leaves open for share links, only
/// reads: the page, its assets and the read routes the page calls.
/// </summary>
public sealed class HttpRouteExposureTests
{
    private static readonly IReadOnlyList<(string Name, HttpTriggerAttribute Trigger)> HttpFunctions = typeof(AvatarApiFunctions).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
        .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
        .Where(x => x.Function is not null && x.Trigger is not null)
        .Select(x => (x.Function!.Name, x.Trigger!))
        .ToList();

    [Fact]
    public void No_http_function_relies_on_function_keys()
    {
        Assert.NotEmpty(HttpFunctions);
        Assert.All(HttpFunctions, f => Assert.Equal(AuthorizationLevel.Anonymous, f.Trigger.AuthLevel));
    }

    [Fact]
    public void Under_the_share_link_path_every_function_only_reads()
    {
        var viewer = HttpFunctions.Where(f => f.Trigger.Route!.StartsWith("viewer/", StringComparison.Ordinal)).ToList();

        Assert.Equal(5, viewer.Count); // page, assets, status, artifact list, artifact
        Assert.All(viewer, f => Assert.Equal(["get"], f.Trigger.Methods!));
        Assert.DoesNotContain(HttpFunctions.Where(f => !f.Trigger.Route!.StartsWith("viewer/", StringComparison.Ordinal)),
            f => ("/api/" + f.Trigger.Route).StartsWith("/api/viewer", StringComparison.Ordinal));
    }

    [Fact]
    public void The_page_reads_its_run_through_the_read_routes_under_the_share_link_path()
    {
        var routes = HttpFunctions.Select(f => "/api/" + f.Trigger.Route).ToHashSet();
        var apiBase = AvatarViewerFunctions.ViewerApiBase;

        Assert.StartsWith("/api/viewer/", apiBase, StringComparison.Ordinal);
        Assert.Contains($"{apiBase}/avatars/{{id}}", routes);
        Assert.Contains($"{apiBase}/avatars/{{id}}/artifacts", routes);
        Assert.Contains($"{apiBase}/avatars/{{id}}/artifacts/{{*name}}", routes);
    }
}
