using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceCraft4D.Metrics.Evaluation;

/// <summary>
/// JSON of <c>metrics.json</c> and <c>report.json</c>: camelCase, enums as kebab-case strings (the contracts'
/// convention), indented, and named floating-point literals allowed (PSNR of identical images is <c>"Infinity"</c>).
/// </summary>
public static class MetricsJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new InvalidDataException($"empty {typeof(T).Name} document");

    public static Task WriteAsync<T>(Stream stream, T value, CancellationToken ct) => JsonSerializer.SerializeAsync(stream, value, Options, ct);

    public static async Task<T> ReadAsync<T>(Stream stream, CancellationToken ct) =>
        await JsonSerializer.DeserializeAsync<T>(stream, Options, ct).ConfigureAwait(false)
        ?? throw new InvalidDataException($"empty {typeof(T).Name} document");

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
