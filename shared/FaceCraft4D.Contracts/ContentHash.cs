using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FaceCraft4D.Contracts;

/// <summary>SHA-256 helpers used for run identities, input hashes and blob content hashes.</summary>
public static class ContentHash
{
    /// <summary>Lower-case hex SHA-256 of bytes.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Lower-case hex SHA-256 of UTF-8 text.</summary>
    public static string OfText(string text) => Of(Encoding.UTF8.GetBytes(text));

    /// <summary>Lower-case hex SHA-256 of a stream read to its end.</summary>
    public static async Task<string> OfStreamAsync(Stream stream, CancellationToken cancellationToken)
    {
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>SHA-256 of the canonical JSON of a value (property order as declared, no indentation).</summary>
    public static string OfJson<T>(T value) => OfText(JsonSerializer.Serialize(value, ContractJson.Options));
}
