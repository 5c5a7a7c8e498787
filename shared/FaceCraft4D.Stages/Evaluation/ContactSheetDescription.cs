namespace FaceCraft4D.Stages.Evaluation;

/// <summary>
/// <c>contact-sheet.json</c>, written beside <c>contact-sheet.png</c>: which tile shows what (the PNG carries no text).
/// </summary>
/// <param name="Schema"><see cref="CurrentSchema"/>.</param>
/// <param name="RunId">The avatar's run.</param>
/// <param name="Backend">What rendered the tiles.</param>
/// <param name="TileSize">Tile edge, pixels.</param>
/// <param name="Tiles">Left to right: <c>input</c> (the photo), then the views.</param>
public sealed record ContactSheetDescription(string Schema, string RunId, string Backend, int TileSize, IReadOnlyList<ContactSheetTile> Tiles)
{
    public const string CurrentSchema = "fc4d.contact-sheet/1";
}

/// <summary>One tile: name, camera yaw (null for the input photo) and rectangle in the PNG.</summary>
public sealed record ContactSheetTile(string Name, double? YawDegrees, int X, int Y, int Width, int Height);
