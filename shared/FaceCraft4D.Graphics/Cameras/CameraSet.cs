using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceCraft4D.Graphics.Cameras;

/// <summary>
/// A list of cameras as it travels between pipeline stages (JSON file, System.Text.Json, camelCase):
/// <code>
/// { "convention": "opencv-w2c-rowmajor", "cameras": [ { "intrinsics": { "width": 512, "height": 512, "fx": .., "fy": .., "cx": .., "cy": .. },
///   "extrinsics": { "worldToCamera": [16 numbers, row-major] }, "name": "orbit_00" }, ... ] }
/// </code>
/// </summary>
/// <param name="Cameras">The cameras in order.</param>
/// <param name="Convention">Camera convention tag; always <see cref="OpenCvConvention"/>.</param>
public sealed record CameraSet(IReadOnlyList<Camera> Cameras, string Convention = CameraSet.OpenCvConvention)
{
    /// <summary>The only supported convention: OpenCV camera axes, world-to-camera row-major 4x4, pixel centres at +0.5.</summary>
    public const string OpenCvConvention = "opencv-w2c-rowmajor";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Serialises to JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses JSON text; rejects unknown conventions.</summary>
    public static CameraSet FromJson(string json) => Validate(JsonSerializer.Deserialize<CameraSet>(json, JsonOptions));

    /// <summary>Writes JSON to a stream.</summary>
    public Task WriteAsync(Stream stream, CancellationToken cancellationToken = default)
        => JsonSerializer.SerializeAsync(stream, this, JsonOptions, cancellationToken);

    /// <summary>Reads JSON from a stream.</summary>
    public static async Task<CameraSet> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
        => Validate(await JsonSerializer.DeserializeAsync<CameraSet>(stream, JsonOptions, cancellationToken).ConfigureAwait(false));

    private static CameraSet Validate(CameraSet? set)
    {
        if (set is null || set.Cameras is null) throw new InvalidDataException("Camera file is empty or has no 'cameras'.");
        if (set.Convention != OpenCvConvention)
            throw new InvalidDataException($"Camera file convention '{set.Convention}' is not supported (expected '{OpenCvConvention}').");
        return set;
    }
}
