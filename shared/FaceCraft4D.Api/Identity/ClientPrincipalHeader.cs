using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceCraft4D.Api.Identity;

/// <summary>
/// Reads <c>X-MS-CLIENT-PRINCIPAL</c>, the caller App Service authentication forwards to the app: base64 of
/// <c>{"auth_typ": "aad", "name_typ": ..., "role_typ": "roles", "claims": [{"typ": "oid", "val": ...}, ...]}</c>.
/// </summary>
public static class ClientPrincipalHeader
{
    /// <summary>The header's name.</summary>
    public const string Name = "X-MS-CLIENT-PRINCIPAL";

    private const int MaxLength = 64 * 1024;

    /// <summary>An authenticated principal with the header's claims and role type, or null when the header is absent or malformed.</summary>
    public static ClaimsPrincipal? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > MaxLength)
        {
            return null;
        }

        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(header.Trim()));
            var principal = JsonSerializer.Deserialize<ClientPrincipal>(json);
            if (principal?.Claims is not { Count: > 0 } claims || string.IsNullOrWhiteSpace(principal.AuthenticationType))
            {
                return null;
            }

            var identity = new ClaimsIdentity(
                claims.Where(c => !string.IsNullOrEmpty(c.Type) && c.Value is not null).Select(c => new Claim(c.Type!, c.Value!)),
                principal.AuthenticationType,
                string.IsNullOrWhiteSpace(principal.NameType) ? ClaimTypes.Name : principal.NameType,
                string.IsNullOrWhiteSpace(principal.RoleType) ? ClaimTypes.Role : principal.RoleType);
            return new ClaimsPrincipal(identity);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private sealed record ClientPrincipal(
        [property: JsonPropertyName("auth_typ")] string? AuthenticationType,
        [property: JsonPropertyName("name_typ")] string? NameType,
        [property: JsonPropertyName("role_typ")] string? RoleType,
        [property: JsonPropertyName("claims")] IReadOnlyList<ClientPrincipalClaim>? Claims);

    private sealed record ClientPrincipalClaim(
        [property: JsonPropertyName("typ")] string? Type,
        [property: JsonPropertyName("val")] string? Value);
}
