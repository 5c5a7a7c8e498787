using System.Security.Cryptography;

namespace FaceCraft4D.LocalHost.Infrastructure;

/// <summary>The random key a local stack shares with the workers it starts (256 bits, base64url).</summary>
public static class WorkerKey
{
    /// <summary>A new key.</summary>
    public static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
