using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Identity;

/// <summary>
/// Signed, expiring, read-only tokens for one run: <c>{expiry unix seconds}.{base64url HMAC-SHA256(key, "fc4d-share/v1\n{runId}\n{expiry}")}</c>.
/// The run id is not in the token but in the MAC, so a token opens only the run it was made for; the expiry is in both,
/// so it cannot be extended. Read-only because only <see cref="RunPermission.Read"/> checks look at tokens.
/// </summary>
public sealed class ShareLinkTokens(IOptions<ShareLinkOptions> options, TimeProvider time)
{
    /// <summary>Query parameter carrying a token (<c>?share=</c>).</summary>
    public const string QueryParameter = "share";

    private const int MinKeyBytes = 32;

    /// <summary>True when a signing key is configured.</summary>
    public bool IsConfigured => TryKey() is not null;

    /// <summary>A token for <paramref name="runId"/> that expires after <paramref name="ttl"/> (checked by the caller).</summary>
    public (string Token, DateTimeOffset ExpiresAt) Create(string runId, TimeSpan ttl)
    {
        var key = TryKey() ?? throw new InvalidOperationException($"No share-link key is configured ({ShareLinkOptions.SectionName}:Key).");
        var expires = time.GetUtcNow().Add(ttl).ToUnixTimeSeconds();
        return ($"{expires.ToString(CultureInfo.InvariantCulture)}.{Base64Url(Mac(key, runId, expires))}", DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    /// <summary>True when <paramref name="token"/> was made for <paramref name="runId"/> with this key and has not expired.</summary>
    public bool IsValid(string? token, string runId)
    {
        var key = TryKey();
        if (key is null || string.IsNullOrEmpty(token) || token.Length > 128)
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0
            || !long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || expires <= time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Base64Url(Mac(key, runId, expires)));
        var given = Encoding.ASCII.GetBytes(token[(dot + 1)..]);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private byte[]? TryKey()
    {
        var text = options.Value.Key;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text.Trim(), buffer, out var length) && length >= MinKeyBytes ? buffer[..length] : null;
    }

    private static byte[] Mac(byte[] key, string runId, long expires) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"fc4d-share/v1\n{runId}\n{expires.ToString(CultureInfo.InvariantCulture)}"));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
