using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;

namespace FaceCraft4D.Models.Download;

/// <summary>
/// Downloads one file into <c>{target}.partial</c>, resuming with an HTTP <c>Range</c> request after a dropped
/// connection or a transient server error (Polly retry with exponential back-off), then renames it to
/// <c>{target}</c>. A partial file left by an earlier run is resumed too. Checksums are the caller's business.
/// </summary>
public sealed class ModelDownloader
{
    private readonly HttpClient http;
    private readonly ModelDownloadOptions options;
    private readonly ILogger<ModelDownloader> logger;

    public ModelDownloader(HttpClient http, IOptions<ModelDownloadOptions> options, ILogger<ModelDownloader>? logger = null)
    {
        this.http = http;
        this.options = options.Value;
        this.logger = logger ?? NullLogger<ModelDownloader>.Instance;
    }

    /// <summary>Downloads <paramref name="url"/> to <paramref name="target"/>; returns its length.</summary>
    /// <param name="expectedSize">Upstream size when known: a complete partial file is not fetched again.</param>
    /// <param name="report">Called with (bytes on disk, total, attempt, resumed) as data arrives.</param>
    public async Task<long> DownloadAsync(Uri url, string target, long? expectedSize,
        Action<long, long?, int, bool>? report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        var partial = target + ".partial";
        int attempt = 0;
        var retry = Policy
            .Handle<IOException>()
            .Or<HttpRequestException>(IsTransient)
            .Or<TimeoutException>()
            .WaitAndRetryAsync(
                Math.Max(0, options.MaxAttempts - 1),
                n => TimeSpan.FromTicks(options.RetryDelay.Ticks * (1L << Math.Min(n - 1, 10))),
                (e, delay, n, _) => logger.LogWarning("Download of {Url} interrupted ({Error}); attempt {Attempt} in {Delay}", url, e.Message, n + 1, delay));

        await retry.ExecuteAsync(async ct =>
        {
            attempt++;
            await AttemptAsync(url, partial, expectedSize, attempt, report, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        File.Move(partial, target, overwrite: true);
        return new FileInfo(target).Length;
    }

    private async Task AttemptAsync(Uri url, string partial, long? expectedSize, int attempt,
        Action<long, long?, int, bool>? report, CancellationToken cancellationToken)
    {
        long existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (expectedSize is { } size && existing == size) { report?.Invoke(existing, size, attempt, true); return; }
        if (expectedSize is { } max && existing > max) { File.Delete(partial); existing = 0; }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (existing > 0) request.Headers.Range = new RangeHeaderValue(existing, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);

        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The partial file is as long as (or longer than) the resource: start over.
            File.Delete(partial);
            throw new IOException($"{url}: the server refused to resume at byte {existing}; starting over.");
        }
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);

        bool resumed = response.StatusCode == HttpStatusCode.PartialContent && existing > 0;
        if (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From is { } from && from != existing)
        {
            File.Delete(partial);
            throw new IOException($"{url}: the server resumed at byte {from}, not {existing}; starting over.");
        }
        if (!resumed) existing = 0;
        long? total = expectedSize
            ?? response.Content.Headers.ContentRange?.Length
            ?? (response.Content.Headers.ContentLength is { } len ? existing + len : null);

        // Unbuffered: every chunk is on disk when it is reported, so an interrupted run resumes from exactly there.
        await using var file = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0, useAsync: true);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[options.BufferSize];
        long onDisk = existing;
        report?.Invoke(onDisk, total, attempt, resumed);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            stall.CancelAfter(options.StallTimeout);
            int read;
            try
            {
                read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{url}: no data for {options.StallTimeout}.");
            }
            if (read == 0) break;
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            onDisk += read;
            report?.Invoke(onDisk, total, attempt, resumed);
        }
        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (total is { } expected && onDisk < expected)
            throw new IOException($"{url}: connection closed at byte {onDisk} of {expected}.");
    }

    private static bool IsTransient(HttpRequestException e) =>
        e.StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || (int)e.StatusCode >= 500;
}
