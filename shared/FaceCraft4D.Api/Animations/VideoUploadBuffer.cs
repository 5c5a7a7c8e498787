using System.Security.Cryptography;

namespace FaceCraft4D.Api.Animations;

/// <summary>
/// An uploaded video streamed to a private temp file with a size cap, hashed on the way (SHA-256), and deleted on
/// dispose: what is screened and, once accepted, stored. Nothing of a refused upload outlives the request.
/// </summary>
public sealed class VideoUploadBuffer : IAsyncDisposable
{
    private VideoUploadBuffer(string path, long length, string sha256, string? fileName)
    {
        Path = path;
        Length = length;
        Sha256 = sha256;
        FileName = fileName;
    }

    /// <summary>The temp file.</summary>
    public string Path { get; }

    /// <summary>Bytes.</summary>
    public long Length { get; }

    /// <summary>Lower-case hex SHA-256 of the content.</summary>
    public string Sha256 { get; }

    /// <summary>The uploaded file name (display only; never a path).</summary>
    public string? FileName { get; }

    /// <summary>
    /// Copies <paramref name="source"/> to a new temp file; more than <paramref name="maxBytes"/> is refused with 413
    /// (<c>too-large</c>) as soon as the cap is passed, an empty upload with 400 (<c>empty</c>).
    /// </summary>
    public static async Task<VideoUploadBuffer> CreateAsync(
        Stream source, string? fileName, long maxBytes, string? directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var folder = directory ?? System.IO.Path.GetTempPath();
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, $"fc4d-video-{Guid.NewGuid():N}.upload");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var chunk = new byte[81920];
                int read;
                while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                    if (length > maxBytes)
                    {
                        throw new InvalidAnimationRequestException("too-large", $"The video is larger than the limit of {maxBytes} bytes.", 413);
                    }

                    hash.AppendData(chunk, 0, read);
                    await file.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            if (length == 0)
            {
                throw new InvalidAnimationRequestException("empty", "The upload is empty; send the video in field 'video'.");
            }

            var name = string.IsNullOrWhiteSpace(fileName) ? null : System.IO.Path.GetFileName(fileName.Replace('\\', '/'));
            return new VideoUploadBuffer(path, length, Convert.ToHexStringLower(hash.GetHashAndReset()), name);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
    }

    /// <summary>Reads the whole file (to store it).</summary>
    public async Task<BinaryData> ReadAsync(CancellationToken cancellationToken)
    {
        await using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return await BinaryData.FromStreamAsync(file, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        TryDelete(Path);
        return ValueTask.CompletedTask;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // best effort: the temp folder is cleaned by the OS
        }
    }
}
