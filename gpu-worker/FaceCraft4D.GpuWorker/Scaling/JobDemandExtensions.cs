using Azure.Identity;
using Azure.Storage.Queues;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Scaling;

/// <summary>Registration of the job demand signal: the storage queue when one is configured, else none.</summary>
public static class JobDemandExtensions
{
    /// <summary>Binds <see cref="JobQueueOptions"/> and registers <see cref="IJobDemandSignal"/>.</summary>
    public static IServiceCollection AddJobDemandSignal(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(JobQueueOptions.SectionName);
        services.AddOptions<JobQueueOptions>().Bind(section)
            .Validate(o => o.Problem() is null, $"{JobQueueOptions.SectionName}: RenewEvery must be positive and at most half of MessageTimeToLive.")
            .ValidateOnStart();
        if (string.IsNullOrWhiteSpace(section.Get<JobQueueOptions>()?.Name))
        {
            services.AddSingleton<IJobDemandSignal, UnsignalledJobDemand>();
            return services;
        }

        services.AddSingleton(sp => CreateQueue(sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<IOptions<JobQueueOptions>>().Value.Name!));
        services.AddSingleton<StorageQueueJobDemand>();
        services.AddSingleton<IJobDemandSignal>(sp => sp.GetRequiredService<StorageQueueJobDemand>());
        services.AddHostedService(sp => sp.GetRequiredService<StorageQueueJobDemand>());
        return services;
    }

    /// <summary>The queue on the storage account of <see cref="StorageOptions"/> (connection string, or the account with the managed identity).</summary>
    public static QueueClient CreateQueue(StorageOptions storage, string name)
    {
        var options = new QueueClientOptions();
        options.Retry.MaxRetries = 3;
        if (!string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            return new QueueClient(storage.ConnectionString, name, options);
        }

        if (string.IsNullOrWhiteSpace(storage.AccountName))
        {
            throw new InvalidOperationException($"{JobQueueOptions.SectionName}:Name is set but {StorageOptions.SectionName}:AccountName is not.");
        }

        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = storage.ManagedIdentityClientId ?? Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"),
        });
        return new QueueClient(new Uri($"https://{storage.AccountName}.queue.core.windows.net/{name}"), credential, options);
    }
}
