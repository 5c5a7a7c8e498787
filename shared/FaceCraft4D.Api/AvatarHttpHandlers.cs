using FaceCraft4D.Api.Identity;
using FaceCraft4D.Pipeline.Intake;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api;

/// <summary>
/// The HTTP API of avatar runs, written against <see cref="HttpContext"/> so the local host (minimal APIs) and
/// the Functions app (ASP.NET Core integration) serve exactly the same behaviour. Errors are problem documents
/// with a clear <c>detail</c> and, for rejected uploads, a machine-readable <c>reason</c>. Every route needs a caller
/// (<see cref="RequestCaller"/>, else 401) and every run route asks <see cref="IRunAccess"/> first: a run that is not
/// the caller's answers exactly like a missing one (404); the read routes also accept a share link.
/// </summary>
public sealed class AvatarHttpHandlers(
    AvatarRunService runs,
    IBlobStore blobs,
    IRunAccess access,
    ShareLinkTokens shareLinks,
    IOptions<ShareLinkOptions> shareOptions,
    IOptions<PortraitValidationOptions> uploadOptions,
    IOptions<ApiOptions> apiOptions,
    Limits.SubmissionAdmission limits)
{
    /// <summary>
    /// <c>POST /api/avatars</c>: multipart (field <c>image</c>, optional <c>preset</c> and <c>settings</c> JSON),
    /// a raw <c>image/*</c> body (<c>?preset=</c>), or JSON <c>{"blob": "uploads/name.jpg", "preset": ..., "settings": {...}}</c>.
    /// 202 + Location for a new or running run; 200 for an identical finished run.
    /// </summary>
    public async Task SubmitAsync(HttpContext context)
    {
        if (await ApiProblems.RequireCallerAsync(context).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        using var admission = await limits.AdmitAsync(context).ConfigureAwait(false); // 429 written when refused
        if (admission is null) return;
        var request = context.Request;
        var ct = context.RequestAborted;
        var limit = uploadOptions.Value.MaxBytes;
        if (request.ContentLength > limit + (1024 * 1024))
        {
            await Problem(context, 413, "Upload too large", $"The request is {request.ContentLength} bytes; images up to {limit} bytes are accepted.", "too-large");
            return;
        }

        try
        {
            var (content, name, preset, overrides) = await ReadSubmissionAsync(request, limit, caller, ct).ConfigureAwait(false);
            var submission = await runs.SubmitAsync(content, name, preset, overrides, RunSource.Http, caller.OwnerId, ct, admission.Allowance).ConfigureAwait(false);
            var urls = ManagementUrls.For(BaseUrl(request), submission.RunId, apiOptions.Value.ViewerPath);
            context.Response.Headers.Location = urls.StatusQueryGetUri;
            var status = submission.RuntimeStatus is "Completed" ? 200 : 202;
            await Results.Json(new { submission.RunId, submission.Created, submission.RuntimeStatus, urls }, ContractJson.Options, statusCode: status)
                .ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (InvalidPortraitException e)
        {
            await Problem(context, e.StatusCode, "Invalid portrait", e.Message, e.ReasonCode);
        }
        catch (InvalidSettingsException e)
        {
            await Problem(context, 400, e is WorkBudgetExceededException ? "Over the work budget" : "Invalid settings", e.Message, e.ReasonCode);
        }
        catch (BadSubmissionException e)
        {
            await Problem(context, e.StatusCode, "Invalid request", e.Message, e.ReasonCode);
        }
    }

    /// <summary><c>GET /api/avatars/{id}</c>: 202 while pending/running, 200 when finished, 404 when unknown.</summary>
    public async Task GetStatusAsync(HttpContext context, string id)
    {
        if (!await access.AuthorizeAsync(context, id, RunPermission.Read, context.RequestAborted).ConfigureAwait(false))
        {
            return;
        }

        if (!RunIdentity.IsValid(id))
        {
            await NotFound(context, id);
            return;
        }

        var view = await runs.GetStatusAsync(id, BaseUrl(context.Request), context.RequestAborted).ConfigureAwait(false);
        if (view is null)
        {
            await NotFound(context, id);
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

    /// <summary>
    /// <c>GET /api/avatars?top=N</c>: recent runs. <c>N</c> defaults to <see cref="ApiOptions.DefaultListTop"/> and is
    /// clamped to <see cref="ApiOptions.MaxListTop"/>; a <c>top</c> that is not a positive integer is a 400 (<c>invalid-top</c>).
    /// </summary>
    public async Task ListAsync(HttpContext context)
    {
        if (await ApiProblems.RequireCallerAsync(context).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        var options = apiOptions.Value;
        var text = context.Request.Query["top"].ToString();
        int top;
        if (string.IsNullOrEmpty(text))
        {
            top = Math.Clamp(options.DefaultListTop, 1, Math.Max(1, options.MaxListTop));
        }
        else if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            top = (int)Math.Min(n, Math.Max(1, options.MaxListTop));
        }
        else
        {
            await Problem(context, 400, "Invalid request", $"'top' must be a positive integer (at most {options.MaxListTop} runs are listed).", "invalid-top");
            return;
        }

        var list = new List<RunSummary>();
        await foreach (var run in runs.ListAsync(top, caller.IsOperator ? null : caller.OwnerId, context.RequestAborted).ConfigureAwait(false))
        {
            list.Add(run);
        }

        await Results.Json(list, ContractJson.Options).ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary><c>POST /api/avatars/{id}/terminate?reason=</c>: 202, 404, or 410 when already finished.</summary>
    public async Task TerminateAsync(HttpContext context, string id)
    {
        if (!await access.AuthorizeAsync(context, id, RunPermission.Write, context.RequestAborted).ConfigureAwait(false))
        {
            return;
        }

        var view = RunIdentity.IsValid(id) ? await runs.GetStatusAsync(id, BaseUrl(context.Request), context.RequestAborted).ConfigureAwait(false) : null;
        if (view is null)
        {
            await NotFound(context, id);
            return;
        }

        if (view.RuntimeStatus is not ("Pending" or "Running" or "Suspended"))
        {
            await Problem(context, 410, "Run already finished", $"Run {id} is {view.RuntimeStatus}.", "finished");
            return;
        }

        await runs.TerminateAsync(id, context.Request.Query["reason"], context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = 202;
    }

    /// <summary><c>DELETE /api/avatars/{id}?deleteData=true</c>: purge history (and blobs); 409 while running.</summary>
    public async Task DeleteAsync(HttpContext context, string id)
    {
        if (!await access.AuthorizeAsync(context, id, RunPermission.Write, context.RequestAborted).ConfigureAwait(false))
        {
            return;
        }

        if (!RunIdentity.IsValid(id))
        {
            await NotFound(context, id);
            return;
        }

        var deleteData = string.Equals(context.Request.Query["deleteData"], "true", StringComparison.OrdinalIgnoreCase);
        switch (await runs.PurgeAsync(id, deleteData, context.RequestAborted).ConfigureAwait(false))
        {
            case PurgeOutcome.NotFound:
                await NotFound(context, id);
                break;
            case PurgeOutcome.StillRunning:
                await Problem(context, 409, "Run still running", $"Terminate run {id} before deleting it.", "running");
                break;
            default:
                await Results.Json(new { id, purged = true, deletedData = deleteData }, ContractJson.Options).ExecuteAsync(context).ConfigureAwait(false);
                break;
        }
    }

    /// <summary><c>GET /api/avatars/{id}/artifacts</c>: the avatar files.</summary>
    public async Task ListArtifactsAsync(HttpContext context, string id)
    {
        if (!await access.AuthorizeAsync(context, id, RunPermission.Read, context.RequestAborted).ConfigureAwait(false))
        {
            return;
        }

        if (!RunIdentity.IsValid(id))
        {
            await NotFound(context, id);
            return;
        }

        var prefix = StorageLayout.AvatarPrefix(id);
        var baseUrl = $"{BaseUrl(context.Request)}/api/avatars/{id}/artifacts/";
        var share = context.Request.Query[ShareLinkTokens.QueryParameter].ToString();
        var suffix = share.Length > 0 ? $"?{ShareLinkTokens.QueryParameter}={Uri.EscapeDataString(share)}" : string.Empty;
        var artifacts = (await runs.ListArtifactsAsync(id, context.RequestAborted).ConfigureAwait(false))
            .Select(a => new { name = a.Blob.Name[prefix.Length..], bytes = a.Length, contentType = a.ContentType, url = baseUrl + a.Blob.Name[prefix.Length..] + suffix })
            .ToArray();
        await Results.Json(artifacts, ContractJson.Options).ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary><c>GET /api/avatars/{id}/artifacts/{*name}</c>: one avatar file.</summary>
    public async Task GetArtifactAsync(HttpContext context, string id, string name)
    {
        if (!await access.AuthorizeAsync(context, id, RunPermission.Read, context.RequestAborted).ConfigureAwait(false))
        {
            return;
        }

        var artifact = RunIdentity.IsValid(id) ? await runs.OpenArtifactAsync(id, name, context.RequestAborted).ConfigureAwait(false) : null;
        if (artifact is not { } found)
        {
            await Problem(context, 404, "Artifact not found", $"Run {id} has no artifact '{name}'.", "not-found");
            return;
        }

        await using var stream = found.Content;
        await Results.Stream(stream, found.ContentType, Path.GetFileName(name)).ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /api/avatars/{id}/share?ttl=</c> (owner only): a viewer URL with a signed, expiring, read-only token for
    /// this run. <c>ttl</c> is a <c>TimeSpan</c> (<c>7.00:00:00</c>) or a number of days; default
    /// <see cref="ShareLinkOptions.DefaultTtl"/>, at most <see cref="ShareLinkOptions.MaxTtl"/> (400 beyond).
    /// </summary>
    public async Task ShareAsync(HttpContext context, string id)
    {
        if (!await access.AuthorizeAsync(context, id, RunPermission.Share, context.RequestAborted).ConfigureAwait(false))
        {
            return;
        }

        var options = shareOptions.Value;
        if (!shareLinks.IsConfigured)
        {
            await Problem(context, 503, "Share links unavailable", $"No share-link signing key is configured ({ShareLinkOptions.SectionName}:Key, base64, 32 bytes or more).", "share-not-configured");
            return;
        }

        var text = context.Request.Query["ttl"].ToString();
        var ttl = options.DefaultTtl;
        if (text.Length > 0)
        {
            if (double.TryParse(text, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var days) && days > 0 && days <= options.MaxTtl.TotalDays)
            {
                ttl = TimeSpan.FromDays(days);
            }
            else if (TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero && span <= options.MaxTtl)
            {
                ttl = span;
            }
            else
            {
                await Problem(context, 400, "Invalid request", $"'ttl' must be a positive number of days or a time span of at most {options.MaxTtl.TotalDays:0.##} days.", "invalid-ttl");
                return;
            }
        }

        var (token, expiresAt) = shareLinks.Create(id, ttl);
        var viewer = ManagementUrls.For(BaseUrl(context.Request), id, apiOptions.Value.ViewerPath).ViewerUri;
        var url = $"{viewer}?{ShareLinkTokens.QueryParameter}={Uri.EscapeDataString(token)}";
        await Results.Json(new { id, url, expiresAt, permission = "read" }, ContractJson.Options, statusCode: 201).ExecuteAsync(context).ConfigureAwait(false);
    }

    private async Task<(BinaryData Content, string? Name, string? Preset, JsonObject? Overrides)> ReadSubmissionAsync(
        HttpRequest request, long limit, RequestCaller caller, CancellationToken ct)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct).ConfigureAwait(false);
            var file = form.Files.GetFile("image") ?? form.Files.FirstOrDefault()
                ?? throw new BadSubmissionException("missing-image", "The multipart form has no file; send the photo in field 'image'.");
            if (file.Length > limit)
            {
                throw new InvalidPortraitException("too-large", $"The image is {file.Length} bytes; the limit is {limit} bytes.", 413);
            }

            await using var stream = file.OpenReadStream();
            var data = await BinaryData.FromStreamAsync(stream, ct).ConfigureAwait(false);
            return (data, file.FileName, form["preset"].FirstOrDefault(), ParseOverrides(form["settings"].FirstOrDefault()));
        }

        if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            var body = await JsonRequestFields.ReadObjectAsync(request.Body, allowEmpty: false, ct).ConfigureAwait(false);
            var blobName = JsonRequestFields.OptionalString(body, "blob")
                ?? throw new BadSubmissionException("missing-blob", "JSON submissions name the photo as \"blob\": \"uploads/<name>\".");
            var preset = JsonRequestFields.OptionalString(body, "preset");
            var settings = JsonRequestFields.OptionalObject(body, "settings");
            var blob = ParseUploadReference(blobName);
            if (!caller.IsOperator && UploadOwner.FromPath(blob.Name, apiOptions.Value.UploadOwnerFromPath) != caller.OwnerId)
            {
                // Another owner's upload (locally every upload is the local owner's) answers like a missing one.
                throw new BadSubmissionException("blob-not-found", $"Blob {blob} does not exist.", 404);
            }

            var content = await Limits.BoundedBlobReader.TryReadAsync(blobs, blob, limit, ct).ConfigureAwait(false)
                ?? throw new BadSubmissionException("blob-not-found", $"Blob {blob} does not exist.", 404);
            return (content, blob.Name, preset, settings);
        }

        if (request.ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true
            || request.ContentType?.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase) == true)
        {
            var data = await ReadBoundedAsync(request.Body, limit, ct).ConfigureAwait(false);
            return (data, request.Query["name"].FirstOrDefault(), request.Query["preset"].FirstOrDefault(), ParseOverrides(request.Query["settings"].FirstOrDefault()));
        }

        throw new BadSubmissionException("unsupported-media-type",
            "Send multipart/form-data (field 'image'), an image/* body, or JSON {\"blob\": \"uploads/<name>\"}.", 415);
    }

    private static BlobRef ParseUploadReference(string text)
    {
        var name = text.StartsWith(StorageLayout.UploadsContainer + "/", StringComparison.Ordinal)
            ? text[(StorageLayout.UploadsContainer.Length + 1)..]
            : text;
        if (!AvatarRunService.IsSafeArtifactName(name))
        {
            throw new BadSubmissionException("invalid-blob", $"'{text}' is not a blob name in the uploads container.");
        }

        return new BlobRef(StorageLayout.UploadsContainer, name);
    }

    private static JsonObject? ParseOverrides(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new BadSubmissionException("invalid-settings", "'settings' must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new BadSubmissionException("invalid-settings", $"'settings' is not valid JSON: {e.Message}");
        }
    }

    private static async Task<BinaryData> ReadBoundedAsync(Stream body, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new InvalidPortraitException("too-large", $"The image is larger than the limit of {limit} bytes.", 413);
            }

            buffer.Write(chunk, 0, read);
        }

        return new BinaryData(buffer.ToArray());
    }

    private static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static Task NotFound(HttpContext context, string id) =>
        Problem(context, 404, "Run not found", $"There is no avatar run '{id}'.", "not-found");

    private static Task Problem(HttpContext context, int status, string title, string detail, string reason) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["reason"] = reason })
            .ExecuteAsync(context);
}

/// <summary>The request itself is malformed (wrong media type, missing field).</summary>
public sealed class BadSubmissionException(string reasonCode, string message, int statusCode = 400) : Exception(message)
{
    /// <summary>Machine-readable reason.</summary>
    public string ReasonCode { get; } = reasonCode;

    /// <summary>HTTP status.</summary>
    public int StatusCode { get; } = statusCode;
}
