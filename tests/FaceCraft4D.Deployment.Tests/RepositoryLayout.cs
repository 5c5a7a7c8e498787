namespace FaceCraft4D.Deployment.Tests;

/// <summary>Paths of the deployment assets in the repository under test.</summary>
public static class RepositoryLayout
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>Repository root: the nearest ancestor of the test binaries that holds azure.yaml and bicep/.</summary>
    public static string Root => LazyRoot.Value;

    public static string BicepDirectory => Path.Combine(Root, "bicep");

    public static string AzureYaml => Path.Combine(Root, "azure.yaml");

    public static string Dockerfile => Path.Combine(Root, "gpu-worker", "Dockerfile");

    public static string DockerIgnore => Path.Combine(Root, ".dockerignore");

    public static string WorkflowsDirectory => Path.Combine(Root, ".github", "workflows");

    public static string FunctionsProjectDirectory => Path.Combine(Root, "functions", "FaceCraft4D.Functions");

    public static string DeploymentGuide => Path.Combine(Root, "docs", "azure-deployment.md");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "azure.yaml")) &&
                Directory.Exists(Path.Combine(directory.FullName, "bicep")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No repository root (azure.yaml + bicep/) above {AppContext.BaseDirectory}.");
    }
}
