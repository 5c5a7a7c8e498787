using System.Text.Json;
using System.Text.RegularExpressions;

namespace FaceCraft4D.Models.Manifest;

/// <summary>Reads and validates a manifest; every problem is reported at once.</summary>
public static partial class ModelManifestLoader
{
    private static readonly JsonSerializerOptions Json = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    /// <summary>Loads and validates the manifest at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or inconsistent.</exception>
    public static async Task<ModelManifest> LoadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 14, useAsync: true);
        return await LoadAsync(stream, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads and validates a manifest from a stream; <paramref name="origin"/> names it in errors.</summary>
    public static async Task<ModelManifest> LoadAsync(Stream stream, string origin, CancellationToken cancellationToken)
    {
        ModelManifest? manifest;
        try
        {
            manifest = await JsonSerializer.DeserializeAsync<ModelManifest>(stream, Json, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: not a valid models manifest: {e.Message}", e);
        }
        if (manifest is null) throw new InvalidDataException($"{origin}: empty manifest.");
        var problems = Validate(manifest);
        if (problems.Count > 0) throw new InvalidDataException($"{origin}: {string.Join("; ", problems)}");
        return manifest;
    }

    /// <summary>Writes a manifest (tests, tooling).</summary>
    public static async Task SaveAsync(ModelManifest manifest, string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 14, useAsync: true);
        await JsonSerializer.SerializeAsync(stream, manifest, Json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Consistency rules: unique names, known conversions, well-formed hashes, safe relative paths.</summary>
    public static IReadOnlyList<string> Validate(ModelManifest manifest)
    {
        var problems = new List<string>();
        if (manifest.Format != ModelManifest.CurrentFormat)
            problems.Add($"format '{manifest.Format}' is not {ModelManifest.CurrentFormat}");
        foreach (var dup in manifest.Priors.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            problems.Add($"prior '{dup.Key}' appears {dup.Count()} times");
        foreach (var prior in manifest.Priors)
        {
            var where = $"prior '{prior.Name}'";
            if (!IsSafeRelative(prior.Folder)) problems.Add($"{where}: folder '{prior.Folder}' must be a relative path without '..'");
            if (prior.Acquisition is not (AcquisitionKinds.Download or AcquisitionKinds.Import or AcquisitionKinds.Derive))
                problems.Add($"{where}: acquisition '{prior.Acquisition}' is not download, import or derive");
            if (prior.Derived && (prior.DerivedFrom is null || manifest.Find(prior.DerivedFrom) is not { Derived: false }))
                problems.Add($"{where}: derivedFrom must name a prior that is not itself derived");
            if (string.IsNullOrWhiteSpace(prior.Licence.Id) || string.IsNullOrWhiteSpace(prior.Licence.Url))
                problems.Add($"{where}: licence id and url are required");
            if (prior.Files.Count == 0) problems.Add($"{where}: no files");
            foreach (var dup in prior.Files.GroupBy(f => f.Install, StringComparer.Ordinal).Where(g => g.Count() > 1))
                problems.Add($"{where}: '{dup.Key}' is installed by {dup.Count()} files");
            foreach (var file in prior.Files)
            {
                var f = $"{where} file '{file.Source}'";
                if (!IsSafeRelative(file.Install)) problems.Add($"{f}: install path '{file.Install}' must be relative without '..'");
                if (!ConversionKinds.All.Contains(file.Convert)) problems.Add($"{f}: unknown conversion '{file.Convert}'");
                if (file.Sha256 is not null && !Sha256Hex().IsMatch(file.Sha256)) problems.Add($"{f}: sha256 must be 64 lower-case hex digits");
                if (file.Sha256Prefix is not null && !HexPrefix().IsMatch(file.Sha256Prefix)) problems.Add($"{f}: sha256Prefix must be lower-case hex");
                if (file.Size is <= 0) problems.Add($"{f}: size must be positive");
                if (prior.Downloadable && file.Url is null && file.Required) problems.Add($"{f}: a downloadable prior needs a url for every required file");
                if (file.Url is not null && (!Uri.TryCreate(file.Url, UriKind.Absolute, out var u) || u.Scheme is not ("https" or "http")))
                    problems.Add($"{f}: url '{file.Url}' is not an absolute http(s) URL");
            }
        }
        return problems;
    }

    internal static bool IsSafeRelative(string path) =>
        !string.IsNullOrWhiteSpace(path) && !Path.IsPathRooted(path)
        && !path.Replace('\\', '/').Split('/').Any(s => s is ".." or "");

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();

    [GeneratedRegex("^[0-9a-f]{4,63}$")]
    private static partial Regex HexPrefix();
}
