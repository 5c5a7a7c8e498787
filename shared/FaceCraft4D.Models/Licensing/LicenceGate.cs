using FaceCraft4D.Models.Manifest;

namespace FaceCraft4D.Models.Licensing;

/// <summary>
/// Decides, before anything is downloaded, whether every selected prior whose licence requires acceptance was accepted:
/// by name (<c>--accept-licence NAME</c>, or <c>all</c>) or through the interactive prompt when there is one.
/// </summary>
public sealed class LicenceGate(IReadOnlyCollection<string> acceptedNames, ILicencePrompt? prompt)
{
    /// <summary>Throws <see cref="LicenceNotAcceptedException"/> naming every prior that was not accepted.</summary>
    public async Task EnsureAcceptedAsync(IEnumerable<PriorEntry> priors, CancellationToken cancellationToken)
    {
        var refused = new List<PriorEntry>();
        foreach (var prior in priors.Where(p => p.Licence.AcceptanceRequired))
        {
            if (IsAcceptedByName(prior)) continue;
            if (prompt is not null && await prompt.AskAsync(prior, cancellationToken).ConfigureAwait(false)) continue;
            refused.Add(prior);
        }
        if (refused.Count == 0) return;
        var lines = refused.Select(p => $"{p.Name}: {p.Licence.Id} ({p.Licence.Url})");
        throw new LicenceNotAcceptedException(refused.Select(p => p.Name).ToList(),
            $"Licence not accepted, nothing was downloaded: {string.Join("; ", lines)}. Read the terms and run again with " +
            string.Join(" ", refused.Select(p => $"--accept-licence {p.Name}")) + ".");
    }

    private bool IsAcceptedByName(PriorEntry prior) =>
        acceptedNames.Any(n => string.Equals(n, prior.Name, StringComparison.OrdinalIgnoreCase) || string.Equals(n, "all", StringComparison.OrdinalIgnoreCase));
}
