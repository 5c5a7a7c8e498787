using System.Net.Http.Headers;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>
/// Puts <c>Authorization: Bearer</c> (<see cref="WorkerAccessToken"/>) on every attempt of a GPU worker call; it sits
/// inside the retry policy, so a retry after a token's expiry carries a fresh one.
/// </summary>
public sealed class WorkerAuthorizationHandler(WorkerAccessToken token) : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (await token.GetAsync(cancellationToken).ConfigureAwait(false) is { } bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
