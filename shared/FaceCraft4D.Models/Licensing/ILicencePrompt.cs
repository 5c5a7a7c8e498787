using FaceCraft4D.Models.Manifest;

namespace FaceCraft4D.Models.Licensing;

/// <summary>Asks the operator to accept a licence (the CLI's interactive prompt); null when nobody can be asked.</summary>
public interface ILicencePrompt
{
    /// <summary>True when the operator accepted <paramref name="prior"/>'s licence.</summary>
    Task<bool> AskAsync(PriorEntry prior, CancellationToken cancellationToken);
}
