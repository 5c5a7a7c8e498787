namespace FaceCraft4D.Api.Identity;

/// <summary>Configuration section <c>Fc4d:Auth</c>: what the Functions app trusts about the caller.</summary>
public sealed class PlatformAuthOptions
{
    public const string SectionName = "Fc4d:Auth";

    /// <summary>
    /// Trust the <c>X-MS-CLIENT-PRINCIPAL</c> header that App Service authentication (Entra ID) sets. Only true where
    /// the platform authentication is configured in front of the app (the Bicep sets it with <c>authsettingsV2</c>): the
    /// platform then strips any client-sent copy. False (the default) leaves every request unauthenticated (401).
    /// </summary>
    public bool TrustPlatformPrincipal { get; set; }
}
