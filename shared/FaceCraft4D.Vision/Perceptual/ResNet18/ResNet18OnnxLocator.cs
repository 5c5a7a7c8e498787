namespace FaceCraft4D.Vision.Perceptual.ResNet18;

/// <summary>
/// Finds <c>ResNet18.onnx</c> of the NuGet package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.24.0 (MIT). The
/// vision project references the package with <c>ExcludeAssets="all"</c>, so every restore of the solution puts it in the
/// NuGet cache without copying 64 MB into each bin folder. Resolution order: the configured path; the
/// <see cref="EnvironmentVariable"/>; <c>DnnImageModels/ResNet18Onnx/ResNet18.onnx</c> next to the application (the GPU
/// worker image copies it there); the NuGet cache (<c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>).
/// </summary>
public static class ResNet18OnnxLocator
{
    /// <summary>Environment variable naming the ONNX file.</summary>
    public const string EnvironmentVariable = "FC4D_RESNET18_ONNX";

    /// <summary>NuGet package id (lower case, as in the cache).</summary>
    public const string PackageId = "microsoft.ml.dnnimagefeaturizer.resnet18";

    /// <summary>Package version referenced by the vision project.</summary>
    public const string PackageVersion = "0.24.0";

    /// <summary>Path of the file inside the package (and under the application folder).</summary>
    public const string RelativePath = "DnnImageModels/ResNet18Onnx/ResNet18.onnx";

    /// <summary>What to do when it is missing.</summary>
    public const string InstallHint = "run `./fc4d setup` (or `dotnet restore`; the vision project references the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0), or set FC4D_RESNET18_ONNX to the file";

    /// <summary>The file, or null when none of the places has it.</summary>
    public static string? TryResolve(string? configured = null)
    {
        foreach (var candidate in Candidates(configured))
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        return null;
    }

    /// <summary>Where <see cref="TryResolve"/> looks, in order.</summary>
    public static IEnumerable<string> Candidates(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured)) { yield return configured; yield break; }
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) { yield return env; yield break; }
        yield return Path.Combine(AppContext.BaseDirectory, RelativePath);
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(cache))
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        yield return Path.Combine(cache, PackageId, PackageVersion, "tools", RelativePath);
    }
}
