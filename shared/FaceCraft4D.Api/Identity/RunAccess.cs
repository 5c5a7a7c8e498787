using Microsoft.AspNetCore.Http;

namespace FaceCraft4D.Api.Identity;

/// <summary>
/// <see cref="IRunAccess"/> on the runs' owner records: a valid share link (<c>?share=</c>) opens one run for
/// <see cref="RunPermission.Read"/>; otherwise the authenticated caller must own the run (operators may read and write
/// every run, but only the owner shares it). No caller: 401. A run that does not exist or is not the caller's: the same
/// 404, so nothing tells a foreign run from a missing one.
/// </summary>
public sealed class RunAccess(RunOwnership ownership, ShareLinkTokens shareLinks) : IRunAccess
{
    /// <inheritdoc />
    public async Task<bool> AuthorizeAsync(HttpContext context, string runId, RunPermission permission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var share = context.Request.Query[ShareLinkTokens.QueryParameter].ToString();
        if (permission == RunPermission.Read && share.Length > 0 && shareLinks.IsValid(share, runId))
        {
            return true;
        }

        var caller = RequestCaller.From(context);
        if (caller is null)
        {
            await ApiProblems.Unauthorized(context, share.Length > 0
                ? "The share link is invalid, expired, or not valid for this request; share links only read one run."
                : "Sign in (or send a bearer token) to use this route.").ConfigureAwait(false);
            return false;
        }

        var owner = await ownership.FindOwnerAsync(runId, cancellationToken).ConfigureAwait(false);
        var allowed = owner is not null && (owner == caller.OwnerId || (caller.IsOperator && permission != RunPermission.Share));
        if (!allowed)
        {
            await ApiProblems.RunNotFound(context, runId).ConfigureAwait(false);
        }

        return allowed;
    }
}
