namespace FaceCraft4D.Storage;

/// <summary>
/// Configuration section <c>Fc4d:Storage</c>. Either a connection string (Azurite, development) or an
/// account name / blob endpoint reached with a managed identity (Azure).
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Fc4d:Storage";

    /// <summary>Connection string, e.g. Azurite's development string. Takes precedence when set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Storage account name; the blob endpoint is <c>https://{name}.blob.core.windows.net</c>.</summary>
    public string? AccountName { get; set; }

    /// <summary>Explicit blob endpoint (sovereign clouds, private endpoints); overrides <see cref="AccountName"/>.</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>Client id of a user-assigned managed identity (defaults to <c>AZURE_CLIENT_ID</c>).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Create the containers of the storage layout at start-up.</summary>
    public bool CreateContainers { get; set; } = true;

    /// <summary>The blob endpoint for identity-based access, or null when not configured.</summary>
    public Uri? ResolveBlobServiceUri() =>
        BlobServiceUri ?? (string.IsNullOrWhiteSpace(AccountName) ? null : new Uri($"https://{AccountName}.blob.core.windows.net"));
}
