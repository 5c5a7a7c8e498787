using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FaceCraft4D.Testing;

/// <summary>
/// Makes a share of the job API calls fail: half of the faults answer 503, the other half hang past the
/// client's attempt timeout. Seeded, so runs are repeatable in distribution.
/// </summary>
public sealed class FaultInjection(double rate, TimeSpan hang, int seed = 1234)
{
    private readonly Random random = new(seed);
    private readonly Lock gate = new();
    private long faults;
    private long calls;

    /// <summary>Share of calls that fail (0..1); may be changed while running.</summary>
    public double Rate { get; set; } = rate;

    /// <summary>Faults injected so far.</summary>
    public long Faults => Interlocked.Read(ref faults);

    /// <summary>Job API calls seen so far (faulted or not).</summary>
    public long Calls => Interlocked.Read(ref calls);

    /// <summary>Adds the middleware in front of the job endpoints.</summary>
    public void Apply(WebApplication app) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/api/jobs"))
        {
            await next(context);
            return;
        }

        Interlocked.Increment(ref calls);
        double roll;
        lock (gate)
        {
            roll = random.NextDouble();
        }

        if (roll < Rate / 2)
        {
            Interlocked.Increment(ref faults);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync("injected fault", context.RequestAborted);
            return;
        }

        if (roll < Rate)
        {
            Interlocked.Increment(ref faults);
            try
            {
                await Task.Delay(hang, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up: that is the point
            }

            context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
            return;
        }

        await next(context);
    });
}
