using System.Text;
using System.Text.Json;

namespace FaceCraft4D.GpuWorker.Security;

/// <summary>
/// Admits requests whose caller Container Apps authentication has already validated (Entra token: signature, issuer,
/// audience = the worker's app-id URI, allowed application) and described in <c>X-MS-CLIENT-PRINCIPAL</c>, when the
/// token's client id (<c>appid</c> or <c>azp</c>) is one of <see cref="WorkerAuthOptions.AllowedClientIds"/>. The header is
/// trusted only because the platform sets it and refuses it from outside, and the ingress admits only the Function
/// app's subnet (bicep/modules/gpu-worker.bicep); the client-id check is the second line behind that.
/// </summary>
public sealed class ContainerAppsPrincipalAuthenticator(IEnumerable<string> allowedClientIds) : ICallerAuthenticator
{
    /// <summary>The header Container Apps authentication injects (base64 JSON: <c>auth_typ</c>, <c>claims[{typ,val}]</c>).</summary>
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    private readonly HashSet<string> allowed = allowedClientIds
        .Where(id => !string.IsNullOrWhiteSpace(id))
        .Select(id => id.Trim())
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public string? Refusal(HttpRequest request)
    {
        var encoded = request.Headers[PrincipalHeader].ToString();
        if (string.IsNullOrEmpty(encoded))
        {
            return "Send an Entra access token for the worker's app-id URI (Authorization: Bearer), from the Function app's managed identity.";
        }

        var clientId = ClientId(encoded);
        return clientId is not null && allowed.Contains(clientId)
            ? null
            : "The token's client application is not allowed to call the worker.";
    }

    /// <summary>The <c>appid</c> (or <c>azp</c>) claim of an encoded principal; null when absent or malformed.</summary>
    public static string? ClientId(string encoded)
    {
        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
            if (!document.RootElement.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            string? azp = null;
            foreach (var claim in claims.EnumerateArray())
            {
                var type = claim.TryGetProperty("typ", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                var value = claim.TryGetProperty("val", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                if (type == "appid" && !string.IsNullOrWhiteSpace(value))
                {
                    return value;
                }

                if (type == "azp" && !string.IsNullOrWhiteSpace(value))
                {
                    azp = value;
                }
            }

            return azp;
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException)
        {
            return null;
        }
    }
}
