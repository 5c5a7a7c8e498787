namespace FaceCraft4D.Parity.Tests.Harness;

/// <summary>
/// Where the parity cases live: the folder named by <c>FC4D_PARITY_GOLDENS</c> when it is set, else the repository's
/// copy (<c>tests/fixtures/parity</c>). A case is any <c>&lt;module&gt;/&lt;case&gt;/case.json</c> below it.
/// </summary>
public static class ParityGoldens
{
    public const string EnvironmentVariable = "FC4D_PARITY_GOLDENS";

    public static string Folder
    {
        get
        {
            var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
            return string.IsNullOrWhiteSpace(env)
                ? Path.Combine(RepositoryRoot, "tests", "fixtures", "parity")
                : Path.GetFullPath(env);
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FaceCraft4D.Cloud.sln")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException(
                $"No FaceCraft4D.Cloud.sln above {AppContext.BaseDirectory}; cannot locate the repository root.");
        }
    }

    /// <summary>Case folders as "module/case" paths relative to <see cref="Folder"/>, sorted.</summary>
    public static IReadOnlyList<string> CaseIds()
    {
        var root = Folder;
        if (!Directory.Exists(root)) return [];
        return Directory.GetFiles(root, "case.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .OrderBy(id => id, StringComparer.Ordinal)
            .ToList();
    }
}
