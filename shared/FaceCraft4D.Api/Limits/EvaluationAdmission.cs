using System.Globalization;
using FaceCraft4D.Api.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Limits;

/// <summary>
/// The check at the start of <c>POST /api/evaluations</c>, before the body is read: the owner's batch rate
/// (<see cref="SubmissionRateLimiter.TryAcquireEvaluationAsync"/>, shared across hosts when storage is configured), then
/// the owner's and everyone's pending/running batches (counted in the durable store, plus this host's admitted starts).
/// Refusals are 429 with <c>Retry-After</c> and a reason: <c>rate-limited</c>, <c>too-many-active-evaluations</c>,
/// <c>service-busy</c>. (The set's size is checked by <see cref="EvaluationService"/>, once the set is named.)
/// </summary>
public sealed class EvaluationAdmission(SubmissionRateLimiter rates, IOptions<LimitsOptions> options, ILogger<EvaluationAdmission> logger)
{
    /// <summary>Reason of a refusal by the owner's active-batch limit.</summary>
    public const string TooManyActiveEvaluations = "too-many-active-evaluations";

    private readonly InFlightSubmissions inFlight = new();

    /// <summary>
    /// Admits <paramref name="caller"/>'s batch (dispose the result once the batch has been started or refused), or writes
    /// the 429 answer and returns null. <paramref name="countActive"/> counts the active batches (all, and the owner's).
    /// </summary>
    public async Task<IDisposable?> AdmitAsync(
        HttpContext context, RequestCaller caller, Func<string, CancellationToken, Task<ActiveRunCount>> countActive)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(countActive);
        var limits = options.Value;
        var owner = caller.OwnerId;
        var rate = await rates.TryAcquireEvaluationAsync(owner, context.RequestAborted).ConfigureAwait(false);
        if (!rate.Admitted)
        {
            await RefuseAsync(context, owner, SubmissionAdmission.RateLimited, rate.RetryAfter,
                $"Too many evaluation batches: at most {limits.EvaluationBurst} at once and {limits.EvaluationsPerMinute.ToString(CultureInfo.InvariantCulture)} per minute per owner. " +
                $"Try again in {TooManyRequests.Seconds(rate.RetryAfter)} s.").ConfigureAwait(false);
            return null;
        }

        ActiveRunCount counted;
        using (await inFlight.TakeTurnAsync(context.RequestAborted).ConfigureAwait(false))
        {
            counted = await countActive(owner, context.RequestAborted).ConfigureAwait(false);
            counted = new ActiveRunCount(counted.Total + inFlight.Total, counted.OfOwner + inFlight.Of(owner));
            if (counted.OfOwner < limits.MaxActiveEvaluationsPerOwner && counted.Total < limits.MaxActiveEvaluations)
            {
                return inFlight.Enter(owner);
            }
        }

        if (counted.OfOwner >= limits.MaxActiveEvaluationsPerOwner)
        {
            await RefuseAsync(context, owner, TooManyActiveEvaluations, limits.ActiveRunRetryAfter,
                $"You have {counted.OfOwner} evaluation batch(es) pending or running; at most {limits.MaxActiveEvaluationsPerOwner} at once. " +
                $"Try again when it has finished (about {TooManyRequests.Seconds(limits.ActiveRunRetryAfter)} s or more).").ConfigureAwait(false);
        }
        else
        {
            await RefuseAsync(context, owner, SubmissionAdmission.ServiceBusy, limits.ActiveRunRetryAfter,
                $"The service is running its maximum of {limits.MaxActiveEvaluations} evaluation batches; try again in about {TooManyRequests.Seconds(limits.ActiveRunRetryAfter)} s.")
                .ConfigureAwait(false);
        }

        return null;
    }

    private Task RefuseAsync(HttpContext context, string owner, string reason, TimeSpan retryAfter, string detail)
    {
        logger.LogInformation("Evaluation batch of owner {Owner} refused ({Reason})", owner, reason);
        return TooManyRequests.WriteAsync(context, reason, retryAfter, detail);
    }
}
