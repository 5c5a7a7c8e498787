using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FaceCraft4D.Api.Identity;

/// <summary>Registers identity and ownership (both hosts): the run access check, owner records, share links and the auth options.</summary>
public static class IdentityServiceCollectionExtensions
{
    /// <summary>Adds <see cref="IRunAccess"/>, <see cref="RunOwnership"/>, <see cref="ShareLinkTokens"/> and the options of <c>Fc4d:Share</c>, <c>Fc4d:Auth</c>, <c>Fc4d:Local:Auth</c>.</summary>
    public static IServiceCollection AddFc4dIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShareLinkOptions>().Bind(configuration.GetSection(ShareLinkOptions.SectionName));
        services.AddOptions<PlatformAuthOptions>().Bind(configuration.GetSection(PlatformAuthOptions.SectionName));
        services.AddOptions<LocalAuthOptions>().Bind(configuration.GetSection(LocalAuthOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RunOwnership>();
        services.TryAddSingleton<ShareLinkTokens>();
        services.TryAddSingleton<IRunAccess, RunAccess>();
        return services;
    }
}
