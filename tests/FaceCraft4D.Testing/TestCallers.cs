using System.Security.Claims;
using FaceCraft4D.Api.Identity;
using Microsoft.AspNetCore.Http;

namespace FaceCraft4D.Testing;

/// <summary>
/// Requests to the shared HTTP handlers without a server: an <see cref="HttpContext"/> as a signed-in caller (the local
/// principal an operator or owner gets) or as nobody, with a body and a query, whose response the handler writes into memory.
/// </summary>
public static class TestCallers
{
    /// <summary>A request on <c>https://fc4d.example</c>; <paramref name="caller"/> null: no one is signed in.</summary>
    public static DefaultHttpContext Context(
        IServiceProvider services, string method, string? caller, bool isOperator = false, byte[]? body = null, string? contentType = null, string query = "")
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("fc4d.example");
        context.Request.QueryString = new QueryString(query);
        context.Request.Body = new MemoryStream(body ?? []);
        context.Request.ContentLength = body?.Length ?? 0;
        context.Request.ContentType = contentType;
        context.Response.Body = new MemoryStream();
        context.User = caller is null ? new ClaimsPrincipal(new ClaimsIdentity()) : LocalCallerMiddleware.Principal(caller, isOperator);
        return context;
    }

    /// <summary>The response body the handler wrote, as text.</summary>
    public static string Body(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }
}
