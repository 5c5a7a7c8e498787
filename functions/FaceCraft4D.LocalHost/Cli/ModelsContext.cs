using Azure.Storage.Blobs;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Models;
using FaceCraft4D.Models.Installation;
using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>One models command's services, options and manifest, built from the same configuration sources as the local host.</summary>
public sealed class ModelsContext : IDisposable
{
    private readonly IConfiguration configuration;
    private readonly ServiceProvider provider;

    private ModelsContext(IConfiguration configuration, ServiceProvider services, ModelManifest manifest, string manifestPath, ModelsFolder folder)
    {
        this.configuration = configuration;
        provider = services;
        Manifest = manifest;
        ManifestPath = manifestPath;
        Folder = folder;
        Puller = services.GetRequiredService<ModelPuller>();
        Importer = services.GetRequiredService<ModelImporter>();
        Verifier = services.GetRequiredService<ModelVerifier>();
    }

    public ModelManifest Manifest { get; }
    public string ManifestPath { get; }
    public ModelsFolder Folder { get; }
    public ModelPuller Puller { get; }
    public ModelImporter Importer { get; }
    public ModelVerifier Verifier { get; }

    /// <summary>The models container (<c>Fc4d:Models:Container</c>, default <c>models</c>).</summary>
    public string Container => configuration["Fc4d:Models:Container"] ?? Contracts.StorageLayout.ModelsContainer;

    public static async Task<ModelsContext> CreateAsync(string[] configArgs, string? manifestPath, string? modelsDir, string? mirror, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(configArgs).Build();
        RepositoryLayout? repo = null;
        try { repo = RepositoryLayout.Locate(); } catch (InvalidOperationException) { }
        var root = modelsDir
                   ?? configuration[$"{ModelsOptions.SectionName}:Root"]
                   ?? configuration["Fc4d:Models:LocalPath"]
                   ?? repo?.ModelsFolder
                   ?? throw new ModelsException("No models folder: pass --models-dir or set Fc4d:Models:LocalPath.");
        var manifestFile = manifestPath
                           ?? configuration[$"{ModelsOptions.SectionName}:ManifestPath"]
                           ?? (repo is null ? null : Path.Combine(repo.Root, "infra", "models", "manifest.json"))
                           ?? throw new ModelsException("No manifest: pass --manifest.");
        if (!File.Exists(manifestFile)) throw new ModelsException($"Manifest {manifestFile} not found.");
        var manifest = await ModelManifestLoader.LoadAsync(manifestFile, ct);

        var services = new ServiceCollection();
        services.AddLogging(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddFc4dModels(configuration);
        services.PostConfigure<ModelsOptions>(o =>
        {
            o.Root = root;
            o.ManifestPath = manifestFile;
            o.Mirror = mirror ?? o.Mirror ?? Environment.GetEnvironmentVariable(ModelsOptions.MirrorEnvironmentVariable);
        });
        var provider = services.BuildServiceProvider();
        return new ModelsContext(configuration, provider, manifest, manifestFile, new ModelsFolder(root));
    }

    /// <inheritdoc />
    public void Dispose() => provider.Dispose();

    /// <summary>The blob service of <c>Fc4d:Storage</c>, else the local stack's <c>Fc4d:Local:StorageConnectionString</c>.</summary>
    public BlobServiceClient CreateBlobService()
    {
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        storage.ConnectionString ??= configuration["Fc4d:Local:StorageConnectionString"];
        if (string.IsNullOrWhiteSpace(storage.ConnectionString) && storage.ResolveBlobServiceUri() is null)
            throw new ModelsException("--to-blob needs storage: set Fc4d__Storage__ConnectionString (e.g. the running local host's Azurite) or Fc4d__Storage__AccountName.");
        return BlobServiceClientFactory.Create(storage);
    }
}
