namespace FaceCraft4D.LocalHost.Infrastructure;

/// <summary>Finds the repository's files that the local stack starts (Azurite, the worker build).</summary>
public sealed class RepositoryLayout(string root)
{
    /// <summary>The repository root (the folder holding FaceCraft4D.Cloud.sln).</summary>
    public string Root { get; } = root;

    /// <summary>Pinned Node tools (<c>npm ci --prefix infra/node</c>).</summary>
    public string NodeTools => Path.Combine(Root, "infra", "node");

    /// <summary>Operator-supplied weights for the local workers (<c>models/{prior}/{version}/</c>, git-ignored).</summary>
    public string ModelsFolder => Path.Combine(Root, "models");

    /// <summary>The Azurite supervisor script.</summary>
    public string AzuriteSupervisor => Path.Combine(NodeTools, "azurite-supervisor.mjs");

    /// <summary>The installed Azurite entry point.</summary>
    public string AzuriteEntryPoint => Path.Combine(NodeTools, "node_modules", "azurite", "dist", "src", "azurite.js");

    /// <summary>Walks up from <paramref name="start"/> (default: this program's folder, then the working directory) to the solution folder.</summary>
    public static RepositoryLayout Locate(string? start = null)
    {
        foreach (var candidate in new[] { start, AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = candidate is null ? null : new DirectoryInfo(candidate); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "FaceCraft4D.Cloud.sln")))
                {
                    return new RepositoryLayout(dir.FullName);
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (FaceCraft4D.Cloud.sln) above this program or the working directory.");
    }

    /// <summary>The built GPU worker assembly of the same configuration as this program (Release or Debug).</summary>
    public string GpuWorkerAssembly() => BuiltAssembly(Path.Combine("gpu-worker", "FaceCraft4D.GpuWorker"), "FaceCraft4D.GpuWorker.dll");

    /// <summary>The built local host assembly (used by tests that run it as a separate process).</summary>
    public string LocalHostAssembly() => BuiltAssembly(Path.Combine("functions", "FaceCraft4D.LocalHost"), "fc4d-local.dll");

    private string BuiltAssembly(string projectDirectory, string fileName)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Debug"
            : "Release";
        var candidates = new[] { configuration, configuration == "Release" ? "Debug" : "Release" }
            .Select(c => Path.Combine(Root, projectDirectory, "bin", c, "net10.0", fileName));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"{fileName} is not built. Run ./fc4d setup (or dotnet build FaceCraft4D.Cloud.sln -c Release).");
    }
}
