using System.Runtime.CompilerServices;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>
/// Innermost handler: counts every HTTP attempt (the retry policy re-sends the same request) into a
/// counter that the caller attached to the request.
/// </summary>
public sealed class AttemptCountingHandler : DelegatingHandler
{
    /// <summary>The request option under which the caller attaches its counter.</summary>
    public static readonly HttpRequestOptionsKey<StrongBox<int>> CounterKey = new("fc4d.attempts");

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(CounterKey, out var counter))
        {
            Interlocked.Increment(ref counter.Value);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
