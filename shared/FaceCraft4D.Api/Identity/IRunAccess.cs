using Microsoft.AspNetCore.Http;

namespace FaceCraft4D.Api.Identity;

/// <summary>What a route wants to do with a run.</summary>
public enum RunPermission
{
    /// <summary>Status, artifacts, the viewer, listing its animations (a share link grants only this).</summary>
    Read,

    /// <summary>Terminate, purge, start work on it (e.g. an animation job).</summary>
    Write,

    /// <summary>Issue a share link: the owner only (not operators, and never through a share link).</summary>
    Share,
}

/// <summary>
/// The one check every run route makes before it reveals or changes anything: is the caller (<see cref="RequestCaller"/>,
/// or a share link for <see cref="RunPermission.Read"/>) the run's owner, or an operator?
/// </summary>
public interface IRunAccess
{
    /// <summary>
    /// True when the caller may do <paramref name="permission"/> on <paramref name="runId"/>. When false, the answer
    /// (401 without a caller, 404 for a run that is not the caller's, so nothing about foreign runs leaks) has already been
    /// written to the response.
    /// </summary>
    Task<bool> AuthorizeAsync(HttpContext context, string runId, RunPermission permission, CancellationToken cancellationToken);
}
