using System.Reflection;

namespace FaceCraft4D.Animation.Clips;

/// <summary>
/// The ordered list of driving clips of a worker: work item <c>clip = k</c> animates <see cref="Get"/>(k). Bundled
/// clips first (file-name order: 01-smile ... 08-sweep), then the clips of <see cref="ClipLibraryOptions.Folder"/>.
/// A run with ClipCount above the number of clips reuses them cyclically (index modulo count).
/// </summary>
public sealed class ClipLibrary
{
    private const string ResourcePrefix = "FaceCraft4D.Animation.Clips.";

    private ClipLibrary(IReadOnlyList<DrivingClip> clips) => Clips = clips;

    /// <summary>The clips in index order.</summary>
    public IReadOnlyList<DrivingClip> Clips { get; }

    /// <summary>Number of distinct clips.</summary>
    public int Count => Clips.Count;

    /// <summary>The clip of work-item index <paramref name="index"/> (cyclic).</summary>
    public DrivingClip Get(int index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), "Clip index must not be negative.");
        return Clips[index % Clips.Count];
    }

    /// <summary>The library of the bundled clips only.</summary>
    public static ClipLibrary Bundled() => new(ReadBundled());

    /// <summary>Builds the library from the options.</summary>
    public static async Task<ClipLibrary> LoadAsync(ClipLibraryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clips = options.IncludeBundled ? ReadBundled().ToList() : [];
        if (options.Folder is { Length: > 0 } folder)
        {
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Clip folder {folder} does not exist.");
            foreach (var path in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var clip = await ClipFile.ReadAsync(path, cancellationToken).ConfigureAwait(false);
                int existing = clips.FindIndex(c => c.Name == clip.Name);
                if (existing >= 0) clips[existing] = clip; else clips.Add(clip);
            }
        }
        if (clips.Count == 0) throw new InvalidOperationException("No driving clips: enable the bundled clips or configure a clip folder.");
        return new ClipLibrary(clips);
    }

    /// <summary>Names of the embedded clip files, in order.</summary>
    public static IReadOnlyList<string> BundledFileNames() =>
        typeof(ClipLibrary).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..])
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static IReadOnlyList<DrivingClip> ReadBundled()
    {
        var assembly = typeof(ClipLibrary).Assembly;
        return BundledFileNames().Select(name =>
        {
            using var stream = assembly.GetManifestResourceStream(ResourcePrefix + name)
                ?? throw new InvalidOperationException($"Embedded clip {name} is missing.");
            using var reader = new StreamReader(stream);
            return ClipFile.Parse(reader.ReadToEnd(), name);
        }).ToArray();
    }
}
