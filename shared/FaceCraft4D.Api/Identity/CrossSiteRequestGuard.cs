using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Identity;

/// <summary>
/// Refuses (403 problem document, reason <c>cross-site-request</c> or <c>host-not-allowed</c>) every mutating request
/// (anything but GET, HEAD, OPTIONS, TRACE) that a browser page of another site may have sent: an <c>Origin</c> that is
/// not this host's own scheme, host and port, a <c>Sec-Fetch-Site</c> of <c>cross-site</c> or <c>same-site</c>, or a
/// <c>Host</c> that is not a loopback name or listed in <see cref="LocalAuthOptions.AllowedHosts"/> (DNS rebinding).
/// Command-line clients send no <c>Origin</c> and pass.
/// </summary>
public sealed class CrossSiteRequestGuard(RequestDelegate next, IOptions<LocalAuthOptions> options)
{
    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]", "::1"];

    public async Task InvokeAsync(HttpContext context)
    {
        if (IsMutating(context.Request.Method) && Refusal(context.Request, options.Value) is { } refusal)
        {
            await ApiProblems.Forbidden(context, refusal.Detail, refusal.Reason).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>Why a mutating request is refused, or null when it may proceed.</summary>
    public static (string Reason, string Detail)? Refusal(HttpRequest request, LocalAuthOptions options)
    {
        var host = request.Host.Host;
        if (string.IsNullOrEmpty(host)
            || !(LoopbackHosts.Contains(host, StringComparer.OrdinalIgnoreCase) || options.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase)))
        {
            return ("host-not-allowed", $"Requests addressed to host '{host}' are refused; use localhost or 127.0.0.1 (or add the name to {LocalAuthOptions.SectionName}:AllowedHosts).");
        }

        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Equals("cross-site", StringComparison.OrdinalIgnoreCase) || fetchSite.Equals("same-site", StringComparison.OrdinalIgnoreCase))
        {
            return ("cross-site-request", $"A page of another site may not change runs here (Sec-Fetch-Site: {fetchSite}).");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsSameOrigin(origin, request))
        {
            return ("cross-site-request", $"A page of another origin ('{origin}') may not change runs here; only {request.Scheme}://{request.Host} may.");
        }

        return null;
    }

    private static bool IsSameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.AbsolutePath == "/"
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, new Uri($"{request.Scheme}://{request.Host}").Authority, StringComparison.OrdinalIgnoreCase);

    private static bool IsMutating(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));
}
