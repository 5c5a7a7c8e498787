namespace FaceCraft4D.GpuWorker.Security;

/// <summary>How callers prove who they are to the worker.</summary>
public enum WorkerAuthMode
{
    /// <summary>Not configured: the worker refuses to start (it never serves its job API unauthenticated).</summary>
    Unset,

    /// <summary>Local stack: a random key shared by the host and its workers, sent as <c>Authorization: Bearer {key}</c>.</summary>
    SharedKey,

    /// <summary>
    /// Azure: Container Apps authentication (Entra provider) validates the caller's managed-identity token in front of
    /// the container and forwards its claims in <c>X-MS-CLIENT-PRINCIPAL</c>; the worker admits only the allowed client ids.
    /// </summary>
    ContainerApps,
}

/// <summary>Configuration section <c>Fc4d:Worker:Auth</c>: authentication of every route except <c>/healthz</c>.</summary>
public sealed class WorkerAuthOptions
{
    public const string SectionName = "Fc4d:Worker:Auth";

    /// <summary>Shortest shared key accepted (a 256-bit random key is 43 base64url characters).</summary>
    public const int MinimumSharedKeyLength = 32;

    /// <summary>The mode; required.</summary>
    public WorkerAuthMode Mode { get; set; }

    /// <summary><see cref="WorkerAuthMode.SharedKey"/>: the key (environment <c>Fc4d__Worker__Auth__SharedKey</c>).</summary>
    public string? SharedKey { get; set; }

    /// <summary>
    /// <see cref="WorkerAuthMode.ContainerApps"/>: client (application) ids whose tokens are admitted (the Function
    /// app's managed identity), matched against the token's <c>appid</c> (v1) or <c>azp</c> (v2) claim.
    /// </summary>
    public List<string> AllowedClientIds { get; set; } = [];

    /// <summary>Why the options cannot work, or null.</summary>
    public string? Problem() => Mode switch
    {
        WorkerAuthMode.SharedKey when (SharedKey?.Length ?? 0) < MinimumSharedKeyLength =>
            $"{SectionName}:SharedKey must be at least {MinimumSharedKeyLength} characters (the local host generates one per stack).",
        WorkerAuthMode.ContainerApps when AllowedClientIds.All(string.IsNullOrWhiteSpace) =>
            $"{SectionName}:AllowedClientIds must name the client id of the Function app's managed identity.",
        WorkerAuthMode.SharedKey or WorkerAuthMode.ContainerApps => null,
        _ => $"Set {SectionName}:Mode to SharedKey (local stack) or ContainerApps (Azure); the worker never serves its job API unauthenticated.",
    };
}
