using System.Text.Json;
using System.Text.Json.Nodes;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Api.Limits;
using FaceCraft4D.Pipeline.Evaluation;
using Microsoft.Extensions.Options;
using FaceCraft4D.Contracts;
using Microsoft.AspNetCore.Http;

namespace FaceCraft4D.Api;

/// <summary>
/// <c>POST /api/evaluations</c> (<c>{"set": "default", "preset": "preview", "settings": {...}}</c>) and <c>GET /api/evaluations/{id}</c>.
/// A batch and its avatar runs belong to the caller who started it; another caller (not an operator) gets 404.
/// Starting one is limited per owner (<see cref="EvaluationAdmission"/>: rate and active batches, 429 + Retry-After) and
/// bounded: a caller who is not an operator may name a set of at most <see cref="LimitsOptions.MaxEvaluationImages"/> images
/// (an operator's batch takes at most <see cref="EvaluationOptions.MaxImages"/>).
/// </summary>
public sealed class EvaluationHttpHandlers(
    EvaluationService evaluations, EvaluationAdmission admission, IOptions<LimitsOptions> limits, IOptions<EvaluationOptions> evaluationOptions)
{
    /// <summary>Starts a batch: 202 + Location.</summary>
    public async Task StartAsync(HttpContext context)
    {
        if (await ApiProblems.RequireCallerAsync(context) is not { } caller)
        {
            return;
        }

        using var admitted = await admission.AdmitAsync(context, caller, evaluations.CountActiveAsync);
        if (admitted is null)
        {
            return;
        }

        try
        {
            var body = await JsonRequestFields.ReadObjectAsync(context.Request.Body, allowEmpty: true, context.RequestAborted);
            var set = JsonRequestFields.OptionalString(body, "set") ?? throw new BadSubmissionException("missing-set", "Name the evaluation set: {\"set\": \"<name>\"}.");
            var preset = JsonRequestFields.OptionalString(body, "preset");
            var settings = JsonRequestFields.OptionalObject(body, "settings");
            if (!caller.IsOperator)
            {
                await evaluations.EnsureSetWithinAsync(set, Math.Min(limits.Value.MaxEvaluationImages, evaluationOptions.Value.MaxImages), context.RequestAborted);
            }
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
