using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Security;

/// <summary>Registration of the worker's caller authentication.</summary>
public static class WorkerSecurityExtensions
{
    /// <summary>Binds <see cref="WorkerAuthOptions"/> (validated at start: a worker without authentication does not start) and the authenticator of its mode.</summary>
    public static IServiceCollection AddWorkerCallerAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkerAuthOptions>()
            .Bind(configuration.GetSection(WorkerAuthOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkerAuthOptions>, WorkerAuthOptionsValidator>();
        services.AddSingleton<ICallerAuthenticator>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WorkerAuthOptions>>().Value; // validated: throws with the reason
            return options.Mode == WorkerAuthMode.SharedKey
                ? new SharedKeyAuthenticator(options.SharedKey!)
                : new ContainerAppsPrincipalAuthenticator(options.AllowedClientIds);
        });
        return services;
    }
}
