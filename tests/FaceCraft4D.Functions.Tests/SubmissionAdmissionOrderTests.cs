using System.Security.Claims;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Api.Limits;
using FaceCraft4D.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// The per-owner active-run limit when a submission finishes while another one is being counted: its run reaches the
/// store just after the store was read, and its in-flight place is released before the count is complete. It must be
/// counted (in one of the two), or a burst admits one run too many (seen in CI: 4 active against a limit of 3).
/// </summary>
public sealed class SubmissionAdmissionOrderTests
{
    [Fact]
    public async Task A_submission_finishing_during_anothers_count_is_still_counted()
    {
        var store = new StoreThatRecordsARunDuringItsQuery();
        await using var services = ApiTestHost.BuildServices(new InMemoryBlobStore(), new Dictionary<string, string?> { ["Fc4d:Limits:MaxActiveRunsPerOwner"] = "1" });
        var admission = ActivatorUtilities.CreateInstance<SubmissionAdmission>(services, (IActiveRunCounter)store);

        var first = await admission.AdmitAsync(Context(services, "alice"));
        Assert.NotNull(first);

        // While the second submission reads the store, the first one's run is stored (too late for that read) and its
        // submission ends.
        store.WhileQuerying = () =>
        {
            store.RecordRun("alice");
            first!.Dispose();
        };
        var secondContext = Context(services, "alice");
        using var second = await admission.AdmitAsync(secondContext);

        Assert.Null(second);
        Assert.Equal(StatusCodes.Status429TooManyRequests, secondContext.Response.StatusCode);

        // Another owner is not affected, and the next submission of the owner is refused from the store alone.
        using (var bob = await admission.AdmitAsync(Context(services, "bob"))) Assert.NotNull(bob);
        var thirdContext = Context(services, "alice");
        using var third = await admission.AdmitAsync(thirdContext);
        Assert.Null(third);
        Assert.Equal(StatusCodes.Status429TooManyRequests, thirdContext.Response.StatusCode);
    }

    private static DefaultHttpContext Context(IServiceProvider services, string owner)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = services,
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(RequestCaller.OwnerClaim, owner)], "test")),
        };
        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>A store whose query reads its runs first and then runs <see cref="WhileQuerying"/> (once).</summary>
    private sealed class StoreThatRecordsARunDuringItsQuery : IActiveRunCounter
    {
        private readonly List<string> owners = [];

        public Action? WhileQuerying { get; set; }

        public void RecordRun(string owner)
        {
            lock (owners) owners.Add(owner);
        }

        public Task<ActiveRunCount> CountAsync(string owner, CancellationToken cancellationToken)
        {
            ActiveRunCount read;
            lock (owners) read = new ActiveRunCount(owners.Count, owners.Count(o => o == owner));
            var during = WhileQuerying;
            WhileQuerying = null;
            during?.Invoke();
            return Task.FromResult(read);
        }
    }
}
