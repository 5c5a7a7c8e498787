using FaceCraft4D.Contracts;
using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Storage;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Stages.Evaluation;

/// <summary>
/// Renders an avatar at the <see cref="ContactSheetView.Standard"/> views, composes them beside the input photo
/// (<see cref="ContactSheetComposer"/>) and writes <c>avatars/{runId}/contact-sheet.png</c> and its description
/// <c>contact-sheet.json</c>.
/// </summary>
public sealed class ContactSheetWriter(IBlobStore blobs, int tileSize)
{
    /// <summary>The sheet's file name in the avatar folder.</summary>
    public const string ImageFile = "contact-sheet.png";

    /// <summary>The sheet's description in the avatar folder.</summary>
    public const string DescriptionFile = "contact-sheet.json";

    /// <summary>Renders, composes and writes; returns file name → blob (PNG first).</summary>
    /// <param name="render">Renders one view at <c>tileSize</c> (square, RGB over white).</param>
    public async Task<IReadOnlyList<(string Name, BlobRef Blob)>> WriteAsync(
        string runId, string backend, Image<Rgb24> input, Func<ContactSheetView, Image<Rgb24>> render, CancellationToken ct)
    {
        var composer = new ContactSheetComposer(tileSize);
        var views = ContactSheetView.Standard;
        var renders = new List<Image<Rgb24>>(views.Count);
        try
        {
            foreach (var view in views)
            {
                ct.ThrowIfCancellationRequested();
                renders.Add(render(view));
            }

            using var sheet = composer.Compose(input, renders);
            using var png = new MemoryStream();
            await sheet.SaveAsPngAsync(png, ct).ConfigureAwait(false);
            var image = await blobs.WriteAsync(StorageLayout.AvatarArtifact(runId, ImageFile), BinaryData.FromBytes(png.ToArray()), "image/png", ct)
                .ConfigureAwait(false);

            var layout = composer.Layout(views.Count);
            var tiles = new List<ContactSheetTile> { Tile("input", null, layout[0]) };
            tiles.AddRange(views.Select((v, i) => Tile(v.Name, v.YawDegrees, layout[i + 1])));
            var description = new ContactSheetDescription(ContactSheetDescription.CurrentSchema, runId, backend, tileSize, tiles);
            var json = await blobs.WriteAsync(StorageLayout.AvatarArtifact(runId, DescriptionFile),
                BinaryData.FromString(MetricsJson.Serialize(description)), "application/json", ct).ConfigureAwait(false);
            return [(ImageFile, image), (DescriptionFile, json)];
        }
        finally
        {
            foreach (var r in renders) r.Dispose();
        }
    }

    private static ContactSheetTile Tile(string name, double? yaw, Rectangle r) => new(name, yaw, r.X, r.Y, r.Width, r.Height);
}
