using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>
/// The bearer credential of calls to the GPU workers: the local stack's shared key, or an Entra access token for the
/// worker's app-id URI (<see cref="GpuWorkerOptions.TokenScope"/>) from the managed identity, cached until five minutes
/// before it expires. Null when neither is configured (the worker then answers 401).
/// </summary>
public sealed class WorkerAccessToken
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly GpuWorkerOptions options;
    private readonly TokenCredential? credential;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim refresh = new(1, 1);
    private AccessToken? cached;

    /// <summary>Creates the source; <paramref name="credential"/> defaults to the managed identity (<see cref="DefaultAzureCredential"/>) when a scope is configured.</summary>
    public WorkerAccessToken(IOptions<GpuWorkerOptions> options, TimeProvider time, ILogger<WorkerAccessToken> logger, TokenCredential? credential = null)
    {
        this.options = options.Value;
        this.time = time;
        this.credential = credential ?? (string.IsNullOrWhiteSpace(this.options.TokenScope) ? null : new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = this.options.ManagedIdentityClientId ?? Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"),
        }));
        if (string.IsNullOrWhiteSpace(this.options.SharedKey) && string.IsNullOrWhiteSpace(this.options.TokenScope))
        {
            logger.LogWarning("No GPU worker credentials: set {Section}:SharedKey (local stack) or {Section}:TokenScope (Azure); workers will answer 401",
                GpuWorkerOptions.SectionName, GpuWorkerOptions.SectionName);
        }
    }

    /// <summary>The bearer value for the next call, or null when no credential is configured.</summary>
    public async ValueTask<string?> GetAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(options.SharedKey))
        {
            return options.SharedKey;
        }

        if (credential is null || string.IsNullOrWhiteSpace(options.TokenScope))
        {
            return null;
        }

        if (Fresh() is { } token)
        {
            return token;
        }

        await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } raced)
            {
                return raced;
            }

            var acquired = await credential.GetTokenAsync(new TokenRequestContext([options.TokenScope]), cancellationToken).ConfigureAwait(false);
            cached = acquired;
            return acquired.Token;
        }
        finally
        {
            refresh.Release();
        }
    }

    private string? Fresh() => cached is { } token && token.ExpiresOn - RefreshMargin > time.GetUtcNow() ? token.Token : null;
}
