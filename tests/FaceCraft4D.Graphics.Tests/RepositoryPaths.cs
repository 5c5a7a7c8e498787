namespace FaceCraft4D.Graphics.Tests;

/// <summary>Locates the repository root (the folder holding FaceCraft4D.Cloud.sln) from the test assembly.</summary>
internal static class RepositoryPaths
{
    public static string Root
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

    /// <summary>The splatting goldens folder: $FC4D_SPLAT_GOLDENS, else the repository's copy (tests/fixtures/splatting).</summary>
    public static string SplatGoldens
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("FC4D_SPLAT_GOLDENS");
            return string.IsNullOrWhiteSpace(env)
                ? Path.Combine(Root, "tests", "fixtures", "splatting")
                : Path.GetFullPath(env);
        }
    }
}
