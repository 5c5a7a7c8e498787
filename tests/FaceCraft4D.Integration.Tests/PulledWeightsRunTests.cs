using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Stages.Models.Tiny;
using FaceCraft4D.Testing;
using Xunit;
using Xunit.Abstractions;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// What an operator does, with the real executables: <c>./fc4d models pull</c> from an upstream host (a local server
/// behind <c>--mirror</c>), <c>./fc4d models verify</c>, then <c>./fc4d create</c> on the pulled folder with all three
/// weighted backends. The upstream files are the tiny official-layout weights of <see cref="TinyModelFolder"/>, pinned
/// in a test manifest with their real sha256 and size.
/// </summary>
public sealed class PulledWeightsRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string UpstreamHost = "huggingface.co";

    private readonly string directory = Path.Combine(Path.GetTempPath(), "fc4d-pulled-weights", Guid.NewGuid().ToString("N"));
    private WeightsServer server = null!;

    private string Upstream => Path.Combine(directory, "upstream");
    private string Models => Path.Combine(directory, "models");

    public async Task InitializeAsync() => server = await WeightsServer.StartAsync();

    [Fact]
    public async Task Models_pull_from_the_mirror_then_create_runs_every_weighted_backend()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var written = await TinyModelFolder.WriteAsync(Upstream, seed: 5);
        var manifest = await ServeAsUpstreamAsync(written);
        var manifestPath = Path.Combine(directory, "manifest.json");
        await ModelManifestLoader.SaveAsync(manifest, manifestPath, CancellationToken.None);
        Assert.Empty(ModelManifestLoader.Validate(manifest));
        string[] common = ["--manifest", manifestPath, "--models-dir", Models];

        var pull = await LocalHostCli.RunAsync(
            ["models", "pull", .. common, "--mirror", server.BaseUrl, "--accept-licence", "panohead", "--accept-licence", "diffusion"], TimeSpan.FromMinutes(2));
        output.WriteLine($"pull ({clock.Elapsed.TotalSeconds:F1} s):\n{pull.Output}");
        Assert.True(pull.ExitCode == 0, pull.Output);
        foreach (var prior in manifest.Priors)
        {
            Assert.Contains($"{prior.Name}: installed", pull.Output);
            Assert.Contains(server.Requests, r => r.Path == MirrorPath(prior.Files[0].Url!));
        }

        var verify = await LocalHostCli.RunAsync(["models", "verify", .. common], TimeSpan.FromMinutes(1));
        output.WriteLine($"verify ({clock.Elapsed.TotalSeconds:F1} s):\n{verify.Output}");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("no problems", verify.Output);

        // The pulled folder, not the upstream one: the workers (children of the create process) inherit these variables.
        var workerEnvironment = TinyModelFolder.WorkerSettings
            .Concat(TestConfiguration.SmallOutputs)
            .Append(KeyValuePair.Create("Fc4d:Models:LocalPath", Models))
            .ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        var avatar = Path.Combine(directory, "avatar");
        var portrait = Path.Combine(RepositoryLayout.Locate().Root, "infra", "samples", "portrait.jpg");
        var create = await LocalHostCli.RunAsync(
            ["create", portrait, "--out", avatar, .. TinyWeightedRun.SetArguments(),
             "--", $"--Fc4d:Local:DataDirectory={Path.Combine(directory, "local")}"],
            TimeSpan.FromMinutes(5), workerEnvironment);
        output.WriteLine($"create ({clock.Elapsed.TotalSeconds:F1} s):\n{create.Output}");
        Assert.True(create.ExitCode == 0, create.Output);

        var runManifest = JsonSerializer.Deserialize<RunManifest>(await File.ReadAllBytesAsync(Path.Combine(avatar, RunManifest.FileName)), ContractJson.Options)!;
        foreach (var (stage, backend) in TinyWeightedRun.ExpectedBackends)
        {
            // The run's status as the CLI printed it: the stage's last line says completed and names its backend.
            var lines = create.Output.Split('\n').Where(l => Regex.IsMatch(l, $@"^\[[0-9:]+\] {Regex.Escape(stage)}\s")).ToList();
            Assert.True(lines.Count > 0, $"no status line for {stage}:\n{create.Output}");
            Assert.Matches($@"\scompleted .*backend={Regex.Escape(backend)}(\s|$)", lines[^1]);
            Assert.Equal(backend, runManifest.Output.Backends[stage]);
        }
        output.WriteLine($"total: {clock.Elapsed.TotalSeconds:F1} s");
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Serves every tiny file at a Hugging Face-style URL seen through the mirror and returns a manifest that pins them
    /// (size, sha256, <c>copy</c>). PanoHead is import-only in the real manifest (a pickle only its own repository can
    /// read); here the tiny generator is served as the already-converted safetensors, so the one pull covers all three
    /// backends. Likewise the LPIPS file, which the real manifest derives from <c>lpips-sources</c>, is served as is. Licence acceptance is required for PanoHead and the diffusion prior, as in the real manifest.
    /// </summary>
    private async Task<ModelManifest> ServeAsUpstreamAsync(IReadOnlyList<string> written)
    {
        (string Name, string Version, string? Layout, bool Acceptance)[] priors =
            [("panohead", "v1", null, true), ("lpips", "v0.1", null, false), ("diffusion", "v1", "diffusers", true), ("liveportrait", "v1", "liveportrait", false)];
        var entries = new List<PriorEntry>();
        foreach (var (relative, prior) in written.Zip(priors))
        {
            var path = Path.Combine(Upstream, relative.Replace('/', Path.DirectorySeparatorChar));
            var single = File.Exists(path);
            var folder = single ? Path.GetDirectoryName(path)! : path;
            var files = new List<ManifestFile>();
            foreach (var file in single ? new[] { path } : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray())
            {
                var name = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
                var bytes = await File.ReadAllBytesAsync(file);
                var url = $"https://{UpstreamHost}/fc4d-test/{prior.Name}/resolve/main/{name}";
                server.Serve(MirrorPath(url), bytes);
                files.Add(new ManifestFile
                {
                    Source = name, Url = url, Size = bytes.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
                    Sha256Source = "the tiny file written by this test", Install = name, Convert = ConversionKinds.Copy,
                });
            }
            entries.Add(new PriorEntry
            {
                Name = prior.Name, Version = prior.Version,
                Folder = Path.GetRelativePath(Upstream, folder).Replace(Path.DirectorySeparatorChar, '/'),
                Licence = new LicenceInfo { Id = $"LicenseRef-Test-{prior.Name}", Url = "https://example.invalid/licence", AcceptanceRequired = prior.Acceptance },
                Layout = prior.Layout, Files = files,
            });
        }
        return new ModelManifest { Priors = entries };
    }

    private static string MirrorPath(string url)
    {
        var uri = new Uri(url);
        return $"/{uri.Host}{uri.AbsolutePath}";
    }
}
