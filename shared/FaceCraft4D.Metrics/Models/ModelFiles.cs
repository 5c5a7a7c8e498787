using FaceCraft4D.Priors;

namespace FaceCraft4D.Metrics.Models;

/// <summary>Checks that a model folder holds the expected files (all missing ones are listed).</summary>
internal static class ModelFiles
{
    /// <exception cref="ModelFolderException">when the folder or any file is missing</exception>
    public static void Require(string folder, params string[] relativePaths)
    {
        var found = relativePaths.Where(p => File.Exists(Path.Combine(folder, p))).ToList();
        var missing = relativePaths.Except(found).ToList();
        if (missing.Count > 0) throw new ModelFolderException(new ModelFolderReport(folder, found, missing));
    }
}
