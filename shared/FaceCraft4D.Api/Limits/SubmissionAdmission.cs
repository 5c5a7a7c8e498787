using System.Globalization;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Intake;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Limits;

/// <summary>
/// An admitted submission: holds its place among the host's in-flight submissions until disposed, and says how much
/// work the caller may ask for.
/// </summary>
public sealed class AdmissionTicket(string owner, WorkAllowance allowance, IDisposable lease) : IDisposable
{
    /// <summary>The owner the limits were keyed on.</summary>
    public string Owner { get; } = owner;

    /// <summary>Operators may go beyond their preset's work budget; everyone else may not.</summary>
    public WorkAllowance Allowance { get; } = allowance;

    /// <inheritdoc />
    public void Dispose() => lease.Dispose();
}

/// <summary>
/// The one check at the start of a submission (<c>POST /api/avatars</c>), before the body is read: the owner's
/// submission rate (<see cref="SubmissionRateLimiter"/>, shared across hosts when storage is configured), then the owner's and everyone's pending/running runs
/// (<see cref="IActiveRunCounter"/>, from the durable store, plus this host's admitted submissions). Each refusal is a
/// 429 problem document with <c>Retry-After</c> (seconds) and a reason (<c>rate-limited</c>, <c>too-many-active-runs</c>,
/// <c>service-busy</c>). The caller is <see cref="RequestCaller.From"/>; without one, the local owner.
/// </summary>
public sealed class SubmissionAdmission(
    SubmissionRateLimiter rates,
    InFlightSubmissions inFlight,
    IActiveRunCounter activeRuns,
    IOptions<LimitsOptions> options,
    ILogger<SubmissionAdmission> logger)
{
    /// <summary>Reason of a refusal by the owner's submission rate.</summary>
    public const string RateLimited = "rate-limited";

    /// <summary>Reason of a refusal by the owner's active-run limit.</summary>
    public const string TooManyActiveRuns = "too-many-active-runs";

    /// <summary>Reason of a refusal by the global active-run cap.</summary>
    public const string ServiceBusy = "service-busy";

    /// <summary>
    /// Admits the request (dispose the ticket when the submission has finished), or writes the 429 answer and returns null.
    /// </summary>
    public async Task<AdmissionTicket?> AdmitAsync(HttpContext context)
    {
        var caller = RequestCaller.From(context);
        var owner = caller?.OwnerId ?? RunIdentity.LocalOwner;
        var allowance = caller?.IsOperator == true ? WorkAllowance.BeyondPresetBudget : WorkAllowance.WithinPresetBudget;
        var limits = options.Value;

        var rate = await rates.TryAcquireRunAsync(owner, context.RequestAborted).ConfigureAwait(false);
        if (!rate.Admitted)
        {
            var wait = rate.RetryAfter;
            await RefuseAsync(context, owner, RateLimited, wait,
                $"Too many submissions: at most {limits.SubmissionBurst} at once and {limits.SubmissionsPerMinute.ToString(CultureInfo.InvariantCulture)} per minute per owner. " +
                $"Try again in {TooManyRequests.Seconds(wait)} s.").ConfigureAwait(false);
            return null;
        }

        ActiveRunCount counted;
        using (await inFlight.TakeTurnAsync(context.RequestAborted).ConfigureAwait(false))
        {
            // This host's admitted submissions are read BEFORE the store: while this turn is held none can be added, and
            // one that finishes during the store's query (its run now stored, its lease released) is still in this
            // snapshot. Read after the query, such a run would be in neither count (seen in CI: 4 runs against a limit
            // of 3). A run in both counts errs on the safe side.
            var inFlightTotal = inFlight.Total;
            var inFlightOfOwner = inFlight.Of(owner);
            var stored = await activeRuns.CountAsync(owner, context.RequestAborted).ConfigureAwait(false);
            counted = new ActiveRunCount(stored.Total + inFlightTotal, stored.OfOwner + inFlightOfOwner);
            if (counted.OfOwner < limits.MaxActiveRunsPerOwner && counted.Total < limits.MaxActiveRuns)
            {
                return new AdmissionTicket(owner, allowance, inFlight.Enter(owner));
            }
        }

        if (counted.OfOwner >= limits.MaxActiveRunsPerOwner)
        {
            await RefuseAsync(context, owner, TooManyActiveRuns, limits.ActiveRunRetryAfter,
                $"You have {counted.OfOwner} run(s) pending or running; at most {limits.MaxActiveRunsPerOwner} at once. " +
                $"Wait for one to finish (or terminate one) and try again in about {TooManyRequests.Seconds(limits.ActiveRunRetryAfter)} s.").ConfigureAwait(false);
        }
        else
        {
            await RefuseAsync(context, owner, ServiceBusy, limits.ActiveRunRetryAfter,
                $"The service is running its maximum of {limits.MaxActiveRuns} runs; try again in about {TooManyRequests.Seconds(limits.ActiveRunRetryAfter)} s.")
                .ConfigureAwait(false);
        }

        return null;
    }

    private Task RefuseAsync(HttpContext context, string owner, string reason, TimeSpan retryAfter, string detail)
    {
        logger.LogInformation("Submission of owner {Owner} refused ({Reason})", owner, reason);
        return TooManyRequests.WriteAsync(context, reason, retryAfter, detail);
    }
}
