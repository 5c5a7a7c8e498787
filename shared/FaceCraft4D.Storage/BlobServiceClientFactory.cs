using Azure.Identity;
using Azure.Storage.Blobs;

namespace FaceCraft4D.Storage;

/// <summary>Builds the <see cref="BlobServiceClient"/> that <see cref="StorageOptions"/> describe.</summary>
public static class BlobServiceClientFactory
{
    /// <summary>Connection string when set, else the account's blob endpoint with a managed identity.</summary>
    public static BlobServiceClient Create(StorageOptions options)
    {
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = 5;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new BlobServiceClient(options.ConnectionString, clientOptions);
        }

        var endpoint = options.ResolveBlobServiceUri()
            ?? throw new InvalidOperationException(
                $"Storage is not configured: set {StorageOptions.SectionName}:ConnectionString (Azurite) or " +
                $"{StorageOptions.SectionName}:AccountName (Azure, managed identity).");
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = options.ManagedIdentityClientId ?? Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"),
        });
        return new BlobServiceClient(endpoint, credential, clientOptions);
    }
}
