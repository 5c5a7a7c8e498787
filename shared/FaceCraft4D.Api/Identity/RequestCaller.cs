using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace FaceCraft4D.Api.Identity;

/// <summary>
/// Who is asking: the owner every run, limit and route check is keyed on. Built from the authenticated
/// <see cref="HttpContext.User"/> that the host's authentication (Entra ID in Azure, the token or loopback mode locally)
/// puts on the request: the owner is the <c>fc4d:owner</c> claim, else Entra's object id (<c>oid</c>), else the name
/// identifier; operators carry the <see cref="OperatorRole"/> role. Null when the request is not authenticated.
/// </summary>
/// <param name="OwnerId">Stable owner id (opaque; safe to hash into run identities).</param>
/// <param name="IsOperator">Whether the caller may exceed preset budgets and see every owner's runs.</param>
public sealed record RequestCaller(string OwnerId, bool IsOperator)
{
    /// <summary>Claim carrying the owner id when the host sets it explicitly.</summary>
    public const string OwnerClaim = "fc4d:owner";

    /// <summary>Role of operators.</summary>
    public const string OperatorRole = "fc4d.operator";

    /// <summary>Entra ID's object id claim, as App Service authentication forwards it.</summary>
    public const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    /// <summary>The caller of a request, or null when it is not authenticated.</summary>
    public static RequestCaller? From(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true) return null;
        var owner = user.FindFirst(OwnerClaim)?.Value
            ?? user.FindFirst("oid")?.Value
            ?? user.FindFirst(ObjectIdClaim)?.Value
            ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        return string.IsNullOrWhiteSpace(owner) ? null : new RequestCaller(owner, user.IsInRole(OperatorRole));
    }
}
