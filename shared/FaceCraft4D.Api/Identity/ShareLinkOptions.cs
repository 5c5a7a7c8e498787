namespace FaceCraft4D.Api.Identity;

/// <summary>Configuration section <c>Fc4d:Share</c>: the signing key and lifetimes of viewer share links.</summary>
public sealed class ShareLinkOptions
{
    public const string SectionName = "Fc4d:Share";

    /// <summary>
    /// HMAC-SHA256 key, base64 (at least 32 bytes). In Azure an app setting <c>Fc4d__Share__Key</c> (a Key Vault
    /// reference); locally a random key generated once under <c>.fc4d/</c>. Without it no share link is issued or accepted.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Lifetime of a link when the request names none.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Longest lifetime a link may have.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromDays(30);
}
