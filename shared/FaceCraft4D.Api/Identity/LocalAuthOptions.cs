namespace FaceCraft4D.Api.Identity;

/// <summary>How the local host authenticates callers.</summary>
public enum LocalAuthMode
{
    /// <summary>Only loopback clients; every caller is the local owner (<c>RunIdentity.LocalOwner</c>).</summary>
    Loopback,

    /// <summary><c>Authorization: Bearer</c> tokens from configuration, each mapped to an owner; no token: 401.</summary>
    Token,
}

/// <summary>One configured bearer token of the local host's token mode.</summary>
public sealed class LocalAccessToken
{
    /// <summary>The secret (at least 16 characters).</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>The owner id requests with this token act as.</summary>
    public string Owner { get; set; } = string.Empty;

    /// <summary>Whether the holder has the operator role (sees every run, may exceed preset budgets).</summary>
    public bool Operator { get; set; }
}

/// <summary>Configuration section <c>Fc4d:Local:Auth</c> of the local host.</summary>
public sealed class LocalAuthOptions
{
    public const string SectionName = "Fc4d:Local:Auth";

    /// <summary>Shortest accepted token.</summary>
    public const int MinTokenLength = 16;

    /// <summary><see cref="LocalAuthMode.Loopback"/> (default) or <see cref="LocalAuthMode.Token"/>.</summary>
    public LocalAuthMode Mode { get; set; } = LocalAuthMode.Loopback;

    /// <summary>Whether the loopback caller has the operator role (default: yes, it is the machine's own user).</summary>
    public bool LoopbackOperator { get; set; } = true;

    /// <summary>The tokens of <see cref="LocalAuthMode.Token"/> mode.</summary>
    public List<LocalAccessToken> Tokens { get; set; } = [];

    /// <summary>
    /// Host names a mutating request may be addressed to (besides the loopback names <c>localhost</c>, <c>127.0.0.1</c>
    /// and <c>::1</c>): a request to any other host name (DNS rebinding) is refused.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];
}
