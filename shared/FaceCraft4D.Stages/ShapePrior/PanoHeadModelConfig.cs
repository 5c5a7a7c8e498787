using System.Text.Json;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Vision.ShapePrior.PanoHead;

namespace FaceCraft4D.Stages.ShapePrior;

/// <summary>
/// The generator configuration of a PanoHead folder in the models store: the optional <c>config.json</c> next to
/// <c>generator.safetensors</c> (the <see cref="PanoHeadConfig"/> properties in camelCase, e.g. <c>{"zDim": 16, ...}</c>;
/// missing properties keep the official values). Without the file the folder holds the official checkpoint
/// (<see cref="PanoHeadConfig.Official"/>). The official pickle carries these values as its <c>init_kwargs</c>; the
/// converted safetensors do not, so a non-official generator (a tiny test network, another training stage) says them here.
/// </summary>
public static class PanoHeadModelConfig
{
    /// <summary>File name inside the PanoHead folder.</summary>
    public const string FileName = "config.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Reads <c>{folder}/config.json</c> from the store; null when there is none.</summary>
    /// <exception cref="BackendUnavailableException">The file is there but is not a PanoHead configuration.</exception>
    public static async Task<PanoHeadConfig?> ReadAsync(ModelStore store, string folder, CancellationToken cancellationToken)
    {
        var path = $"{folder.TrimEnd('/')}/{FileName}";
        var opened = await store.TryOpenAsync(path, cancellationToken).ConfigureAwait(false);
        if (opened is null) return null;
        await using var stream = opened.Value.Stream;
        try
        {
            return await JsonSerializer.DeserializeAsync<PanoHeadConfig>(stream, Json, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("the file is empty");
        }
        catch (JsonException e)
        {
            throw new BackendUnavailableException($"{store.Describe(path)} is not a PanoHead generator configuration: {e.Message}");
        }
    }

    /// <summary>The file's text for a configuration.</summary>
    public static string Serialize(PanoHeadConfig config) => JsonSerializer.Serialize(config, Json);
}
