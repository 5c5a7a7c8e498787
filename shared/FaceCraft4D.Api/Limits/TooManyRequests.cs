using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace FaceCraft4D.Api.Limits;

/// <summary>The 429 answer of every limit: a problem document with a reason and <c>Retry-After</c> in whole seconds.</summary>
public static class TooManyRequests
{
    /// <summary>Writes the 429 problem with <c>Retry-After</c> and the <c>reason</c> and <c>retryAfterSeconds</c> extensions.</summary>
    public static Task WriteAsync(HttpContext context, string reason, TimeSpan retryAfter, string detail)
    {
        var seconds = Seconds(retryAfter);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
                detail: detail,
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many requests",
                extensions: new Dictionary<string, object?> { ["reason"] = reason, ["retryAfterSeconds"] = seconds })
            .ExecuteAsync(context);
    }

    /// <summary>Whole seconds, rounded up, at least 1 (Retry-After's unit).</summary>
    public static long Seconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
}
