using System.Text.Json;

namespace FaceCraft4D.Testing;

/// <summary>
/// Reads something again and again until it is what a test waits for. A read that fails because the host is still
/// starting (its HTTP API or its blob endpoint does not answer yet) counts as not yet.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    /// <summary>The first value of <paramref name="read"/> that is <paramref name="done"/>; a timeout names <paramref name="what"/> and the last value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = default!;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await read();
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (e is HttpRequestException or Azure.RequestFailedException)
            {
                // the host is starting
            }

            await Task.Delay(Interval);
        }

        throw new TimeoutException($"Waited {timeout} for {what}; last: {JsonSerializer.Serialize(last, FaceCraft4D.Contracts.ContractJson.Indented)}");
    }
}
