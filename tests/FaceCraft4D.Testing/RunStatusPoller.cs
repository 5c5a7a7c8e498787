using System.Text.Json;
using FaceCraft4D.Api;
using FaceCraft4D.Contracts;

namespace FaceCraft4D.Testing;

/// <summary>A run's status read from outside, over a host's HTTP API (<c>GET /api/avatars/{id}</c>).</summary>
public static class RunStatusPoller
{
    /// <summary>The status now; null while the host does not answer (it is starting).</summary>
    public static async Task<AvatarStatusView?> TryReadAsync(HttpClient http, string runId)
    {
        try
        {
            return JsonSerializer.Deserialize<AvatarStatusView>(await http.GetStringAsync($"/api/avatars/{runId}"), ContractJson.Options);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The first status that meets <paramref name="condition"/>.</summary>
    public static async Task<AvatarStatusView> WaitForAsync(HttpClient http, string runId, Func<AvatarStatusView, bool> condition, TimeSpan timeout) =>
        (await Poll.UntilAsync(() => TryReadAsync(http, runId), s => s is not null && condition(s), timeout, $"a status of {runId}"))!;

    /// <summary>Waits until the run has ended (neither pending nor running).</summary>
    public static Task<AvatarStatusView> WaitUntilEndedAsync(HttpClient http, string runId, TimeSpan timeout) =>
        WaitForAsync(http, runId, s => s.RuntimeStatus is not ("Pending" or "Running"), timeout);

    /// <summary>One stage's row of the run's progress, if the status has it.</summary>
    public static StageProgress? Stage(AvatarStatusView view, string name) => view.CustomStatus?.Stages.SingleOrDefault(s => s.Name == name);
}
