namespace FaceCraft4D.Models;

/// <summary>A models command could not do what was asked; the message says why and what to do.</summary>
public class ModelsException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A downloaded or imported file does not have the manifest's size or sha256; nothing was installed.</summary>
public sealed class ChecksumMismatchException(string message) : ModelsException(message);

/// <summary>A prior's licence requires acceptance and it was not given; nothing was downloaded.</summary>
public sealed class LicenceNotAcceptedException(IReadOnlyList<string> priors, string message) : ModelsException(message)
{
    /// <summary>Names of the priors whose licence was not accepted.</summary>
    public IReadOnlyList<string> Priors { get; } = priors;
}
