namespace FaceCraft4D.GpuWorker.Security;

/// <summary>
/// Answers 401 (problem details, <c>WWW-Authenticate: Bearer</c>) for every request except the health probe
/// (<c>GET /healthz</c>) whose caller the <see cref="ICallerAuthenticator"/> does not admit, before routing, so every
/// endpoint (jobs, portrait screening, evaluation reports, capabilities, and any added later) is covered.
/// </summary>
public sealed class CallerAuthenticationMiddleware(RequestDelegate next, ICallerAuthenticator authenticator, ILogger<CallerAuthenticationMiddleware> logger)
{
    /// <summary>The one route open without authentication (liveness/readiness probes).</summary>
    public const string HealthPath = "/healthz";

    /// <summary>Runs the check.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Equals(HealthPath, StringComparison.OrdinalIgnoreCase))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (authenticator.Refusal(context.Request) is { } refusal)
        {
            logger.LogWarning("Refused unauthenticated {Method} {Path} from {Remote}: {Reason}",
                context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress, refusal);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthenticated", detail: refusal)
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }
}
