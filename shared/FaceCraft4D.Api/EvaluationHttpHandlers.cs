using System.Text.Json;
using System.Text.Json.Nodes;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using Microsoft.AspNetCore.Http;

namespace FaceCraft4D.Api;

/// <summary>
/// <c>POST /api/evaluations</c> (<c>{"set": "default", "preset": "preview", "settings": {...}}</c>) and <c>GET /api/evaluations/{id}</c>.
/// A batch and its avatar runs belong to the caller who started it; another caller (not an operator) gets 404.
/// </summary>
public sealed class EvaluationHttpHandlers(EvaluationService evaluations)
{
    /// <summary>Starts a batch: 202 + Location.</summary>
    public async Task StartAsync(HttpContext context)
    {
        if (await ApiProblems.RequireCallerAsync(context) is not { } caller)
        {
            return;
        }

        try
        {
            var body = await JsonRequestFields.ReadObjectAsync(context.Request.Body, allowEmpty: true, context.RequestAborted);
            var set = JsonRequestFields.OptionalString(body, "set") ?? throw new BadSubmissionException("missing-set", "Name the evaluation set: {\"set\": \"<name>\"}.");
            var preset = JsonRequestFields.OptionalString(body, "preset");
            var settings = JsonRequestFields.OptionalObject(body, "settings");
            var id = await evaluations.StartAsync(set, preset, settings, "http", caller.OwnerId, context.RequestAborted);
            var location = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/api/evaluations/{id}";
            context.Response.Headers.Location = location;
            await Results.Json(new { id, statusQueryGetUri = location }, ContractJson.Options, statusCode: 202).ExecuteAsync(context);
        }
        catch (BadSubmissionException e)
        {
            await Results.Problem(detail: e.Message, statusCode: e.StatusCode, title: "Invalid evaluation request",
                extensions: new Dictionary<string, object?> { ["reason"] = e.ReasonCode }).ExecuteAsync(context);
        }
    }

    /// <summary>Status and, when done, the entries and report blobs.</summary>
    public async Task GetAsync(HttpContext context, string id)
    {
        if (await ApiProblems.RequireCallerAsync(context) is not { } caller)
        {
            return;
        }

        var view = await evaluations.GetAsync(id, caller.IsOperator ? null : caller.OwnerId, context.RequestAborted);
        if (view is null)
        {
            await Results.Problem(detail: $"There is no evaluation batch '{id}'.", statusCode: 404, title: "Not found").ExecuteAsync(context);
            return;
        }

        var running = view.RuntimeStatus is "Pending" or "Running";
        await Results.Json(view, ContractJson.Options, statusCode: running ? 202 : 200).ExecuteAsync(context);
    }
}
