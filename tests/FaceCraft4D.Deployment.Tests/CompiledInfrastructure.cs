using System.Text.Json.Nodes;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>
/// Runs the Bicep CLI once per test run over a private copy of bicep/ (snapshots are written next to the parameter
/// files, and the source tree must stay clean): lint, build, build-params and snapshot for dev and prod.
/// Shared by every test in <see cref="InfrastructureCollection"/>; about ten seconds on two cores.
/// </summary>
public sealed class CompiledInfrastructure : IAsyncLifetime
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000a001";
    public const string TenantId = "00000000-0000-0000-0000-00000000a002";
    public static readonly string[] Environments = ["dev", "prod"];

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly string workDirectory = Path.Combine(Path.GetTempPath(), $"fc4d-bicep-{Guid.NewGuid():N}");
    private readonly Dictionary<string, BicepRun> parameterBuilds = [];
    private readonly Dictionary<string, ArmSnapshot> snapshots = [];

    public BicepCli Cli { get; } = BicepCli.FromNuGetPackage(CommandTimeout);

    /// <summary>The copy of bicep/ the CLI ran on.</summary>
    public string WorkDirectory => workDirectory;

    public BicepRun Lint { get; private set; } = null!;

    public BicepRun Build { get; private set; } = null!;

    public ArmTemplate Template { get; private set; } = null!;

    public BicepRun ParameterBuild(string environment) => parameterBuilds[environment];

    public ArmSnapshot Snapshot(string environment) => snapshots[environment];

    public async Task InitializeAsync()
    {
        var cancellationToken = CancellationToken.None;
        CopyDirectory(RepositoryLayout.BicepDirectory, workDirectory);

        // Two cores: lint and build together, then the two environments together.
        var lint = Cli.RunAsync(workDirectory, ["lint", "--pattern", "**/*.bicep"], cancellationToken);
        var build = Cli.RunAsync(workDirectory, ["build", "main.bicep", "--outfile", "main.json"], cancellationToken);
        Lint = await lint;
        Build = await build;
        Template = new ArmTemplate(ReadJson(Path.Combine(workDirectory, "main.json")));

        await Task.WhenAll(Environments.Select(environment => CompileEnvironmentAsync(environment, cancellationToken)));
    }

    private async Task CompileEnvironmentAsync(string environment, CancellationToken cancellationToken)
    {
        var parameterFile = $"{environment}.bicepparam";
        var parameterBuild = await Cli.RunAsync(workDirectory,
            ["build-params", parameterFile, "--outfile", $"{environment}.parameters.json"], cancellationToken);
        var snapshot = await Cli.RunAsync(workDirectory,
            ["snapshot", parameterFile, "--mode", "overwrite", "--subscription-id", SubscriptionId, "--tenant-id", TenantId],
            cancellationToken);
        Assert.True(snapshot.ExitCode == 0 && snapshot.Diagnostics.Count == 0, snapshot.ToString());

        lock (parameterBuilds)
        {
            parameterBuilds[environment] = parameterBuild;
            snapshots[environment] = new ArmSnapshot(ReadJson(Path.Combine(workDirectory, $"{environment}.snapshot.json")));
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(workDirectory, recursive: true);
        return Task.CompletedTask;
    }

    private static JsonObject ReadJson(string path) =>
        JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path} is not a JSON object.");

    private static void CopyDirectory(string source, string destination)
    {
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        }

        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
        }
    }
}

/// <summary>Tests that read the compiled infrastructure share one <see cref="CompiledInfrastructure"/>.</summary>
[CollectionDefinition(Name)]
public sealed class InfrastructureCollection : ICollectionFixture<CompiledInfrastructure>
{
    public const string Name = "Compiled infrastructure";
}
