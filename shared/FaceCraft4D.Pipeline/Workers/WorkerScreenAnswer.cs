using System.Text.Json;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>
/// What a GPU worker's screen route answered: its status and body, or no answer at all (<see cref="StatusCode"/> null:
/// no worker reachable, the connection failed, or the time ran out; <see cref="Error"/> says which, for the log).
/// </summary>
/// <param name="StatusCode">The HTTP status; null when no worker answered.</param>
/// <param name="Body">The response body as text (empty without an answer).</param>
/// <param name="Error">Why no worker answered; null with an answer.</param>
public sealed record WorkerScreenAnswer(int? StatusCode, string Body, string? Error)
{
    /// <summary>No worker answered, because of <paramref name="error"/>.</summary>
    public static WorkerScreenAnswer None(string error) => new(null, string.Empty, error);

    /// <summary>True when a worker answered (any status).</summary>
    public bool Answered => StatusCode is not null;

    /// <summary>True for a 2xx answer.</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>True for a 4xx answer (a refusal, or a worker without the route).</summary>
    public bool IsClientError => StatusCode is >= 400 and < 500;

    /// <summary>The <c>reason</c> of the problem document the worker refused with; null when the body is not one.</summary>
    public string? RefusalReason
    {
        get
        {
            try
            {
                using var problem = JsonDocument.Parse(Body);
                return problem.RootElement.ValueKind == JsonValueKind.Object
                       && problem.RootElement.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String
                    ? reason.GetString()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
