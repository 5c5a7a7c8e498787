using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FaceCraft4D.Api.Animations;

/// <summary>
/// The HTTP API of video animation jobs, shared by the local host (minimal APIs) and the Functions app:
/// <c>POST /api/avatars/{id}/animations</c> (multipart: file field <c>video</c>, optional <c>name</c>, <c>mode</c>, <c>fps</c>)
/// answers 202 + Location; <c>GET /api/avatars/{id}/animations/{animationId}</c> the status; <c>GET /api/avatars/{id}/animations</c>
/// the run's jobs. Every route asks <see cref="IRunAccess"/> first (Write to start a job, Read otherwise): a run that is
/// not the caller's is a 404 written by it. Refusals are problem documents with a <c>reason</c>, and nothing is stored.
/// </summary>
public sealed class AnimationHttpHandlers(AnimationService animations, IRunAccess access, IOptions<AnimationOptions> options)
{
    /// <summary>Form fields read besides the file (small text values).</summary>
    private const int MaxFieldBytes = 1024;

    /// <summary><c>POST /api/avatars/{id}/animations</c>.</summary>
    public async Task SubmitAsync(HttpContext context, string id)
    {
        var ct = context.RequestAborted;
        if (!await AdmitAsync(context, id, RunPermission.Write).ConfigureAwait(false))
        {
            return;
        }

        var limit = options.Value.MaxUploadBytes;
        if (context.Request.ContentLength > limit + (1024 * 1024))
        {
            await Problem(context, 413, "Upload too large", $"The request is {context.Request.ContentLength} bytes; videos up to {limit} bytes are accepted.", "too-large");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = limit + (1024 * 1024); // the cap that matters is counted below, as the file streams in
        }

        try
        {
            var (upload, request) = await ReadUploadAsync(context.Request, limit, ct).ConfigureAwait(false);
            await using (upload)
            {
                var submission = await animations.SubmitAsync(id, upload, request, RunSource.Http, ct).ConfigureAwait(false);
                var urls = AnimationUrls.For(BaseUrl(context.Request), id, submission.AnimationId, null, "/avatars/{id}");
                context.Response.Headers.Location = urls.StatusQueryGetUri;
                await Results.Json(
                        new { submission.RunId, submission.AnimationId, submission.Name, submission.Created, submission.RuntimeStatus, submission.Notes, statusQueryGetUri = urls.StatusQueryGetUri },
                        ContractJson.Options, statusCode: submission.RuntimeStatus is "Completed" ? 200 : 202)
                    .ExecuteAsync(context).ConfigureAwait(false);
            }
        }
        catch (InvalidAnimationRequestException e)
        {
            await Problem(context, e.StatusCode, "Animation refused", e.Message, e.ReasonCode);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == 413)
        {
            await Problem(context, 413, "Upload too large", $"Videos up to {limit} bytes are accepted.", "too-large");
        }
    }

    /// <summary><c>GET /api/avatars/{id}/animations/{animationId}</c>: 202 while pending/running, 200 when ended, 404 when unknown.</summary>
    public async Task GetStatusAsync(HttpContext context, string id, string animationId)
    {
        var ct = context.RequestAborted;
        if (!await AdmitAsync(context, id, RunPermission.Read).ConfigureAwait(false))
        {
            return;
        }

        var view = await animations.GetStatusAsync(id, animationId, BaseUrl(context.Request), ct).ConfigureAwait(false);
        if (view is null)
        {
            await Problem(context, 404, "Animation not found", $"Run {id} has no animation '{animationId}'.", "not-found");
            return;
        }

        var running = view.RuntimeStatus is "Pending" or "Running";
        if (running)
        {
            context.Response.Headers.RetryAfter = "2";
            context.Response.Headers.Location = view.Urls.StatusQueryGetUri;
        }

        await Results.Json(view, ContractJson.Options, statusCode: running ? 202 : 200).ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary><c>GET /api/avatars/{id}/animations</c>: the run's jobs, newest first.</summary>
    public async Task ListAsync(HttpContext context, string id)
    {
        var ct = context.RequestAborted;
        if (!await AdmitAsync(context, id, RunPermission.Read).ConfigureAwait(false))
        {
            return;
        }

        var list = new List<AnimationStatusView>();
        await foreach (var view in animations.ListAsync(id, BaseUrl(context.Request), ct).ConfigureAwait(false))
        {
            list.Add(view);
        }

        await Results.Json(list, ContractJson.Options).ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>Streams the multipart body: the <c>video</c> file into a capped temp file, the small fields into the request.</summary>
    private async Task<(VideoUploadBuffer Upload, AnimationRequest Request)> ReadUploadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        var boundary = request.HasFormContentType && MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            ? HeaderUtilities.RemoveQuotes(type.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary) || !request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidAnimationRequestException("unsupported-media-type",
                "Send multipart/form-data with the video in field 'video' (optional fields: name, mode, fps).", 415);
        }

        var reader = new MultipartReader(boundary, request.Body);
        VideoUploadBuffer? upload = null;
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            while (await reader.ReadNextSectionAsync(ct).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !(disposition.IsFormDisposition() || disposition.IsFileDisposition()))
                {
                    continue;
                }

                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                if (disposition.IsFileDisposition() && field.Equals("video", StringComparison.OrdinalIgnoreCase) && upload is null)
                {
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    upload = await VideoUploadBuffer.CreateAsync(section.Body, fileName, limit, options.Value.TempDirectory, ct).ConfigureAwait(false);
                }
                else if (!disposition.IsFileDisposition() && field is "name" or "mode" or "fps")
                {
                    fields[field] = await ReadFieldAsync(section.Body, field, ct).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            if (upload is not null)
            {
                await upload.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        if (upload is null)
        {
            throw new InvalidAnimationRequestException("missing-video", "The multipart form has no file in field 'video'.");
        }

        return (upload, new AnimationRequest(fields.GetValueOrDefault("name"), fields.GetValueOrDefault("mode"), fields.GetValueOrDefault("fps")));
    }

    private static async Task<string> ReadFieldAsync(Stream body, string field, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > MaxFieldBytes)
            {
                throw new InvalidAnimationRequestException("invalid-request", $"Field '{field}' is longer than {MaxFieldBytes} bytes.");
            }
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    /// <summary>
    /// The preamble of every route: a malformed run id is a 404, then <see cref="IRunAccess"/> decides (and writes the
    /// answer when it refuses). True when the caller may go on.
    /// </summary>
    private async Task<bool> AdmitAsync(HttpContext context, string id, RunPermission permission)
    {
        if (!RunIdentity.IsValid(id))
        {
            await RunNotFound(context, id).ConfigureAwait(false);
            return false;
        }

        return await access.AuthorizeAsync(context, id, permission, context.RequestAborted).ConfigureAwait(false);
    }

    private static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static Task RunNotFound(HttpContext context, string id) =>
        Problem(context, 404, "Run not found", $"There is no avatar run '{id}'.", "not-found");

    private static Task Problem(HttpContext context, int status, string title, string detail, string reason) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["reason"] = reason })
            .ExecuteAsync(context);
}
