namespace FaceCraft4D.Vision.Preprocessing;

/// <summary>Finds the face-api.js model folder shipped by the npm package @vladmandic/face-api.</summary>
public static class FaceModelLocator
{
    public const string EnvironmentVariable = "FC4D_FACE_MODELS";
    public const string RepoRelativePath = "infra/node/node_modules/@vladmandic/face-api/model";
    public const string InstallHint = "run `npm ci --prefix infra/node` in the repository root (it installs @vladmandic/face-api with the model weights), or set FC4D_FACE_MODELS to its model folder";

    /// <summary>
    /// Resolution order: <paramref name="configured"/>; the FC4D_FACE_MODELS environment variable;
    /// <see cref="RepoRelativePath"/> under the nearest ancestor of the current or application directory.
    /// Returns null when none exists.
    /// </summary>
    public static string? TryResolve(string? configured)
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

    /// <summary>Like <see cref="TryResolve"/> but throws <see cref="PreprocessException"/> (ModelsMissing) with the install hint.</summary>
    public static string Resolve(string? configured) =>
        TryResolve(configured) ?? throw new PreprocessException(PreprocessFailureReason.ModelsMissing,
            $"face-api.js model folder not found (looked at: {configured ?? Environment.GetEnvironmentVariable(EnvironmentVariable) ?? RepoRelativePath}); {InstallHint}.");
}
