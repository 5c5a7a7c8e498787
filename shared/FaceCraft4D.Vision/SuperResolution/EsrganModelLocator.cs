namespace FaceCraft4D.Vision.SuperResolution;

/// <summary>
/// Finds the ESRGAN models of the npm package <c>@upscalerjs/esrgan-slim</c> 1.0.0 (MIT), installed by
/// <c>./fc4d setup</c> under <c>infra/node/node_modules</c>: <c>models/x{2,3,4,8}/model.json</c>. Resolution order: the
/// configured folder; <see cref="EnvironmentVariable"/>; <see cref="RepoRelativePath"/> under the nearest ancestor of the
/// current or application directory.
/// </summary>
public static class EsrganModelLocator
{
    /// <summary>Environment variable naming the package's <c>models</c> folder.</summary>
    public const string EnvironmentVariable = "FC4D_ESRGAN_MODELS";

    /// <summary>The models folder inside the repository.</summary>
    public const string RepoRelativePath = "infra/node/node_modules/@upscalerjs/esrgan-slim/models";

    /// <summary>The models folder, or null.</summary>
    public static string? TryResolve(string? configured = null)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, RepoRelativePath);
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    /// <summary>The <c>model.json</c> of scale <paramref name="factor"/> in <paramref name="modelsFolder"/>.</summary>
    public static string ModelJson(string modelsFolder, int factor) => Path.Combine(modelsFolder, $"x{factor}", "model.json");
}
