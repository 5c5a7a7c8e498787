namespace FaceCraft4D.Api.Limits;

/// <summary>Counts the pending or running avatar runs recorded in the durable store (see <see cref="ActiveRunCounter"/>).</summary>
public interface IActiveRunCounter
{
    /// <summary>The active runs of everyone and of <paramref name="owner"/>.</summary>
    Task<ActiveRunCount> CountAsync(string owner, CancellationToken cancellationToken);
}
