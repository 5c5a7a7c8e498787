using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Viewer.Tests;

/// <summary>
/// The served viewer script forwards a share link (<c>?share=</c>) to its API calls and nothing else from the page URL:
/// a function key (<c>?code=</c>) in a viewer link must never reach the API through the page.
/// </summary>
public sealed class ViewerShareLinkTests
{
    [Fact]
    public async Task The_page_script_forwards_the_share_token_and_never_a_function_key()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapAvatarViewer();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        var script = await client.GetStringAsync("/avatars/_viewer/viewer.js");

        var reads = Regex.Matches(script, @"query\.get\('([^']+)'\)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["share"], reads.Distinct().ToList()); // the only page parameter the script reads
        Assert.DoesNotMatch(@"[?&]code=", script);
        var apiUrl = Regex.Match(script, @"function apiUrl\(path\) \{(.*?)\n\}", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("share=${encodeURIComponent(share)}", apiUrl, StringComparison.Ordinal);
        Assert.Equal(4, Regex.Matches(script, @"fetch\(apiUrl\(").Count); // every API call goes through apiUrl
        Assert.DoesNotMatch(@"fetch\(`", script);
    }
}
