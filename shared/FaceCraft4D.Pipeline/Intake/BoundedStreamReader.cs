namespace FaceCraft4D.Pipeline.Intake;

/// <summary>Reads an upload's bytes without trusting a declared length: the read stops as soon as it passes the limit.</summary>
public static class BoundedStreamReader
{
    /// <summary>Reads <paramref name="stream"/> to its end; <see cref="InvalidPortraitException"/> (413, <c>too-large</c>) past <paramref name="maxBytes"/>.</summary>
    public static async Task<BinaryData> ReadAtMostAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(null, maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        return new BinaryData(buffer.ToArray());
    }

    /// <summary>The refusal of an upload over <paramref name="maxBytes"/> (its length when known).</summary>
    public static InvalidPortraitException TooLarge(long? length, long maxBytes) =>
        new("too-large",
            length is { } n
                ? $"The upload is {n / 1048576.0:F1} MiB; the limit is {maxBytes / 1048576.0:F1} MiB. It was not read."
                : $"The upload is larger than the limit of {maxBytes / 1048576.0:F1} MiB.",
            413);
}
