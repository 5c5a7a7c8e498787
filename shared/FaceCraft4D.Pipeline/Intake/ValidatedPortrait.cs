namespace FaceCraft4D.Pipeline.Intake;

/// <summary>An upload that decoded completely and passed every limit.</summary>
/// <param name="Content">The original bytes (stored unchanged).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the bytes.</param>
/// <param name="Format">Format name: <c>jpeg</c>, <c>png</c>, <c>webp</c>, <c>bmp</c>.</param>
/// <param name="MimeType">Its MIME type.</param>
/// <param name="Width">Pixels.</param>
/// <param name="Height">Pixels.</param>
public sealed record ValidatedPortrait(BinaryData Content, string Sha256, string Format, string MimeType, int Width, int Height)
{
    /// <summary>Blob file name of the stored input, e.g. <c>portrait.jpg</c>.</summary>
    public string FileName => Format switch
    {
        "jpeg" => "portrait.jpg",
        _ => $"portrait.{Format}",
    };
}
