using System.Security.Cryptography;
using System.Text;

namespace FaceCraft4D.GpuWorker.Security;

/// <summary>Admits requests carrying <c>Authorization: Bearer {shared key}</c>, compared in constant time.</summary>
public sealed class SharedKeyAuthenticator(string sharedKey) : ICallerAuthenticator
{
    private readonly byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes(sharedKey));

    /// <inheritdoc />
    public string? Refusal(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return "Send Authorization: Bearer <the worker key of this stack>.";
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, expected) ? null : "The bearer key is not this worker's key.";
    }
}
