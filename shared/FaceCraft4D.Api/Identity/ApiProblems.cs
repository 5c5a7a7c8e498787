using Microsoft.AspNetCore.Http;

namespace FaceCraft4D.Api.Identity;

/// <summary>The problem documents of identity and ownership checks (each with a machine-readable <c>reason</c>).</summary>
public static class ApiProblems
{
    /// <summary>401 <c>unauthenticated</c>, with a <c>WWW-Authenticate: Bearer</c> challenge.</summary>
    public static Task Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Write(context, StatusCodes.Status401Unauthorized, "Authentication required", detail, "unauthenticated");
    }

    /// <summary>403 <c>reason</c>.</summary>
    public static Task Forbidden(HttpContext context, string detail, string reason) =>
        Write(context, StatusCodes.Status403Forbidden, "Forbidden", detail, reason);

    /// <summary>404 <c>not-found</c> for a run that does not exist or is not the caller's (the same answer for both).</summary>
    public static Task RunNotFound(HttpContext context, string runId) =>
        Write(context, StatusCodes.Status404NotFound, "Run not found", $"There is no avatar run '{runId}'.", "not-found");

    /// <summary>Any problem document.</summary>
    public static Task Write(HttpContext context, int status, string title, string detail, string reason) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["reason"] = reason })
            .ExecuteAsync(context);

    /// <summary>The caller, or null after writing 401.</summary>
    public static async Task<RequestCaller?> RequireCallerAsync(HttpContext context)
    {
        var caller = RequestCaller.From(context);
        if (caller is null)
        {
            await Unauthorized(context, "Sign in (or send a bearer token) to use this route.").ConfigureAwait(false);
        }

        return caller;
    }
}
