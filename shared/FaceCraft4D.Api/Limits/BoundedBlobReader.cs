using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Api.Limits;

/// <summary>
/// Reads an uploaded blob only when it is small enough: its length is checked from its properties before any byte is
/// read, and the read itself stops past the limit (the blob may be replaced in between).
/// </summary>
public static class BoundedBlobReader
{
    /// <summary>
    /// The blob's content, or null when it does not exist; <see cref="InvalidPortraitException"/> (413, <c>too-large</c>)
    /// when it is longer than <paramref name="maxBytes"/>.
    /// </summary>
    public static async Task<BinaryData?> TryReadAsync(IBlobStore blobs, BlobRef blob, long maxBytes, CancellationToken cancellationToken)
    {
        var info = await blobs.GetInfoAsync(blob, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            return null;
        }

        if (info.Length > maxBytes)
        {
            throw BoundedStreamReader.TooLarge(info.Length, maxBytes);
        }

        Stream stream;
        try
        {
            stream = await blobs.OpenReadAsync(blob, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsNotFound(e))
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            return await BoundedStreamReader.ReadAtMostAsync(stream, maxBytes, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsNotFound(Exception e) =>
        e is BlobNotFoundException or FileNotFoundException;
}
