using FaceCraft4D.Models.Conversion;
using FaceCraft4D.Models.Download;
using FaceCraft4D.Models.Installation;
using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Models.Tests;

/// <summary>A temporary models folder, the weights server with <see cref="TinyWeights"/> and the services under test.</summary>
public sealed class ModelsTestBed : IAsyncDisposable
{
    private ModelsTestBed(WeightsServer server, TinyWeights weights, string directory)
    {
        Server = server;
        Weights = weights;
        Directory = directory;
        Manifest = weights.Manifest();
        Options = Microsoft.Extensions.Options.Options.Create(new ModelsOptions { Root = ModelsRoot, Mirror = server.BaseUrl });
        var download = Microsoft.Extensions.Options.Options.Create(new ModelDownloadOptions { MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(20) });
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var installer = new PriorInstaller(new WeightConverter());
        Puller = new ModelPuller(new ModelDownloader(Http, download), installer, Options);
        Importer = new ModelImporter(installer, Options);
        Verifier = new ModelVerifier(Options);
        Folder = new ModelsFolder(ModelsRoot);
    }

    public WeightsServer Server { get; }
    public TinyWeights Weights { get; }
    public string Directory { get; }
    public string ModelsRoot => Path.Combine(Directory, "models");
    public ModelManifest Manifest { get; }
    public IOptions<ModelsOptions> Options { get; }
    public HttpClient Http { get; }
    public ModelPuller Puller { get; }
    public ModelImporter Importer { get; }
    public ModelVerifier Verifier { get; }
    public ModelsFolder Folder { get; }

    public static async Task<ModelsTestBed> CreateAsync()
    {
        var server = await WeightsServer.StartAsync();
        var weights = new TinyWeights();
        weights.ServeAll(server);
        var dir = Path.Combine(Path.GetTempPath(), "fc4d-models-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        return new ModelsTestBed(server, weights, dir);
    }

    public PriorEntry Prior(string name) => Manifest.Find(name)!;

    public string Installed(string prior, string install) => Path.Combine(Folder.PriorFolder(Prior(prior)), install);

    public Task<IReadOnlyList<PriorOutcome>> PullAsync(params string[] names) =>
        Puller.PullAsync(Manifest, new PullRequest(names, []), null, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
