namespace FaceCraft4D.Pipeline.Workers;

/// <summary>A worker answer plus the number of HTTP attempts it took (retries included).</summary>
public sealed record WorkerReply<T>(T Value, int Attempts);
