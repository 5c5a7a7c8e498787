namespace FaceCraft4D.GpuWorker.Security;

/// <summary>Decides whether an HTTP request comes from an admitted caller.</summary>
public interface ICallerAuthenticator
{
    /// <summary>Null when the caller is admitted, else why not (for the 401 answer; never echoes secrets).</summary>
    string? Refusal(HttpRequest request);
}
