namespace FaceCraft4D.Animation.Tests;

/// <summary>Finds the repository root (the folder with FaceCraft4D.Cloud.sln) above the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Locate()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "FaceCraft4D.Cloud.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Repository root (FaceCraft4D.Cloud.sln) not found.");
    }
}
