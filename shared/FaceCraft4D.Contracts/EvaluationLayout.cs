
namespace FaceCraft4D.Contracts;

/// <summary>Blob layout of evaluation sets and reports in the <c>eval</c> container.</summary>
public static class EvaluationLayout
{
    /// <summary>Image extensions taken from a set.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".jpg", ".jpeg", ".png", ".webp", ".bmp"];

    /// <summary><c>sets/{name}/</c>.</summary>
    public static string SetPrefix(string setName) => $"sets/{setName}/";

    /// <summary><c>reports/{yyyy-MM-dd}/{batchId}/{file}</c>.</summary>
    public static BlobRef Report(DateTime createdUtc, string batchId, string fileName) =>
        new(StorageLayout.EvalContainer, $"reports/{createdUtc:yyyy-MM-dd}/{batchId}/{fileName}");

    /// <summary>True for set names that are safe as blob folder names.</summary>
    public static bool IsValidSetName(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');
}
