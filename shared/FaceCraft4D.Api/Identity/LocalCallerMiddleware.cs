using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using FaceCraft4D.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Identity;

/// <summary>
/// The local host's authentication: puts the caller on <see cref="HttpContext.User"/>. Loopback mode answers 403 to any
/// client that is not on this machine and makes every other caller the local owner; token mode maps a configured
/// <c>Authorization: Bearer</c> token to its owner (and operator role) and leaves requests without a known token
/// unauthenticated, so the routes answer 401.
/// </summary>
public sealed class LocalCallerMiddleware(RequestDelegate next, IOptions<LocalAuthOptions> options)
{
    /// <summary>Authentication type of the principals this middleware makes.</summary>
    public const string AuthenticationType = "fc4d-local";

    public async Task InvokeAsync(HttpContext context)
    {
        var settings = options.Value;
        if (settings.Mode == LocalAuthMode.Loopback)
        {
            var remote = context.Connection.RemoteIpAddress;
            if (remote is null || !IPAddress.IsLoopback(remote))
            {
                await ApiProblems.Forbidden(context, "This host serves loopback clients only (Fc4d:Local:Auth:Mode=loopback); use token mode to serve others.", "loopback-only")
                    .ConfigureAwait(false);
                return;
            }

            context.User = Principal(RunIdentity.LocalOwner, settings.LoopbackOperator);
        }
        else if (Match(settings, BearerToken(context.Request)) is { } token)
        {
            context.User = Principal(token.Owner, token.Operator);
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>An authenticated principal for <paramref name="owner"/>.</summary>
    public static ClaimsPrincipal Principal(string owner, bool isOperator)
    {
        var claims = new List<Claim> { new(RequestCaller.OwnerClaim, owner), new(ClaimTypes.Name, owner) };
        if (isOperator)
        {
            claims.Add(new Claim(ClaimTypes.Role, RequestCaller.OperatorRole));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType));
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private static LocalAccessToken? Match(LocalAuthOptions settings, string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return null;
        }

        var given = Encoding.UTF8.GetBytes(presented);
        LocalAccessToken? found = null;
        foreach (var token in settings.Tokens)
        {
            // Every configured token is compared (in constant time), so timing tells nothing about which one is close.
            if (token.Token.Length >= LocalAuthOptions.MinTokenLength && !string.IsNullOrWhiteSpace(token.Owner)
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token.Token), given))
            {
                found ??= token;
            }
        }

        return found;
    }
}
