using FaceCraft4D.Models.Licensing;

namespace FaceCraft4D.Models.Installation;

/// <summary>What <c>fc4d models pull</c> was asked.</summary>
/// <param name="Names">Priors to pull; empty = every downloadable prior.</param>
/// <param name="AcceptedLicences">Names given with <c>--accept-licence</c> (<c>all</c> accepts every one).</param>
/// <param name="Prompt">Interactive licence prompt, or null (redirected input, tests).</param>
/// <param name="TrustOnFirstUse">Install files whose sha256 the manifest does not pin, recording the hash found.</param>
/// <param name="Force">Download and install again even when the installed files match their record.</param>
public sealed record PullRequest(
    IReadOnlyList<string> Names,
    IReadOnlyCollection<string> AcceptedLicences,
    ILicencePrompt? Prompt = null,
    bool TrustOnFirstUse = false,
    bool Force = false);

/// <summary>Outcome for one prior.</summary>
public sealed record PriorOutcome(string Prior, string Result, string Detail);
