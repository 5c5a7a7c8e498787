using FaceCraft4D.Models.Conversion;
using FaceCraft4D.Models.Download;
using FaceCraft4D.Models.Installation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FaceCraft4D.Models;

/// <summary>DI registration of the models commands' services.</summary>
public static class ModelsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ModelsOptions"/> (<c>Fc4d:ModelsCli</c>) and <see cref="ModelDownloadOptions"/>, registers the
    /// downloader as a typed <see cref="HttpClient"/> (no overall timeout: stalls are detected per read) and the
    /// puller, importer and verifier.
    /// </summary>
    public static IServiceCollection AddFc4dModels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ModelsOptions>().Bind(configuration.GetSection(ModelsOptions.SectionName));
        services.AddOptions<ModelDownloadOptions>().Bind(configuration.GetSection(ModelDownloadOptions.SectionName));
        services.AddHttpClient<ModelDownloader>(c =>
        {
            c.Timeout = Timeout.InfiniteTimeSpan;
            c.DefaultRequestHeaders.UserAgent.ParseAdd("fc4d-models/1");
        });
        services.AddSingleton<WeightConverter>();
        services.AddSingleton<PriorInstaller>();
        services.AddTransient<ModelPuller>();
        services.AddTransient<ModelImporter>();
        services.AddTransient<ModelVerifier>();
        return services;
    }
}
