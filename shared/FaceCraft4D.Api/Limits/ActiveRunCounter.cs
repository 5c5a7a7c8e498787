using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using Microsoft.DurableTask.Client;

namespace FaceCraft4D.Api.Limits;

/// <summary>Pending or running avatar runs in the durable store: of everyone, and of one owner.</summary>
/// <param name="Total">All owners.</param>
/// <param name="OfOwner">The owner asked about.</param>
public readonly record struct ActiveRunCount(int Total, int OfOwner);

/// <summary>
/// Counts the avatar runs that are pending or running, from the durable store (so every host sees the same numbers).
/// The owner of a run is read from its orchestration input (<see cref="RunInput"/>'s <c>owner</c>/<c>ownerId</c>
/// property; runs without one belong to <see cref="RunIdentity.LocalOwner"/>).
/// </summary>
public sealed class ActiveRunCounter(DurableTaskClient client) : IActiveRunCounter
{
    private static readonly OrchestrationRuntimeStatus[] Active = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running];

    /// <summary>Counts the active runs of everyone and of <paramref name="owner"/>.</summary>
    public async Task<ActiveRunCount> CountAsync(string owner, CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = RunIdentity.Prefix,
            Statuses = Active,
            FetchInputsAndOutputs = true,
            PageSize = 100,
        };
        int total = 0, ofOwner = 0;
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (instance.Name != DurableNames.AvatarRunOrchestrator)
            {
                continue;
            }

            total++;
            if (OwnerOf(instance.SerializedInput) == owner)
            {
                ofOwner++;
            }
        }

        return new ActiveRunCount(total, ofOwner);
    }

    /// <summary>The owner recorded in a run's serialized input; <see cref="RunIdentity.LocalOwner"/> when it records none.</summary>
    public static string OwnerOf(string? serializedInput)
    {
        if (string.IsNullOrEmpty(serializedInput))
        {
            return RunIdentity.LocalOwner;
        }

        try
        {
            using var input = JsonDocument.Parse(serializedInput);
            if (input.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in input.RootElement.EnumerateObject())
                {
                    if ((property.NameEquals("owner") || property.NameEquals("Owner") || property.NameEquals("ownerId") || property.NameEquals("OwnerId"))
                        && property.Value.ValueKind == JsonValueKind.String)
                    {
                        return property.Value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // not a run input we can read: counted as the local owner's
        }

        return RunIdentity.LocalOwner;
    }
}
