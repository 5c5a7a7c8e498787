using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceCraft4D.Coin;

/// <summary>What a saved training state is: the job it belongs to and how far it got.</summary>
/// <param name="Job">The job's identity (the worker uses the request's idempotency key); a state of another job is never resumed.</param>
/// <param name="Iteration">Iterations completed when saved.</param>
/// <param name="TotalIterations">Iterations planned.</param>
/// <param name="Reason"><c>periodic</c>, <c>cancelled</c> or <c>final</c>.</param>
/// <param name="SavedAt">When it was saved (UTC).</param>
public sealed record TrainingStateHeader(string Job, int Iteration, int TotalIterations, string Reason, DateTimeOffset SavedAt)
{
    /// <summary>Format tag.</summary>
    public string Format { get; init; } = TrainingStateFile.FormatTag;
}

/// <summary>
/// The layout of a saved training state: the 8 ASCII bytes <c>FC4DTRN1</c>, a little-endian int32 length, that many bytes
/// of UTF-8 JSON (<see cref="TrainingStateHeader"/>), then the <see cref="Graphics.Training.GaussianTrainer"/> checkpoint
/// (safetensors <c>fc4d-gaussian-checkpoint/1</c>: parameters, binding, Adam moments, densification statistics, COIN
/// embeddings and MLP, iteration, RNG state, view order).
/// </summary>
public static class TrainingStateFile
{
    /// <summary>Format tag of the header.</summary>
    public const string FormatTag = "fc4d-training-state/1";

    private static readonly byte[] Magic = "FC4DTRN1"u8.ToArray();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Packs a header and a trainer checkpoint.</summary>
    public static byte[] Pack(TrainingStateHeader header, ReadOnlySpan<byte> checkpoint)
    {
        ArgumentNullException.ThrowIfNull(header);
        var json = JsonSerializer.SerializeToUtf8Bytes(header, Json);
        var bytes = new byte[Magic.Length + 4 + json.Length + checkpoint.Length];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Magic.Length), json.Length);
        json.CopyTo(bytes, Magic.Length + 4);
        checkpoint.CopyTo(bytes.AsSpan(Magic.Length + 4 + json.Length));
        return bytes;
    }

    /// <summary>Unpacks a state; <see cref="InvalidDataException"/> when it is not one.</summary>
    public static (TrainingStateHeader Header, ReadOnlyMemory<byte> Checkpoint) Unpack(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length < Magic.Length + 4 || !state.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException("Not an FC4D training state (bad magic).");
        int length = BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(Magic.Length));
        if (length <= 0 || Magic.Length + 4L + length > state.Length) throw new InvalidDataException("Truncated training state header.");
        TrainingStateHeader? header;
        try
        {
            header = JsonSerializer.Deserialize<TrainingStateHeader>(state.AsSpan(Magic.Length + 4, length), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Unreadable training state header: {e.Message}", e);
        }
        if (header is null || header.Format != FormatTag) throw new InvalidDataException($"Training state header is not {FormatTag}.");
        return (header, state.AsMemory(Magic.Length + 4 + length));
    }

    /// <summary>Describes a header for logs.</summary>
    public static string Describe(TrainingStateHeader header) =>
        new StringBuilder().Append(header.Job).Append(" at ").Append(header.Iteration).Append('/').Append(header.TotalIterations)
            .Append(" (").Append(header.Reason).Append(", ").Append(header.SavedAt.ToString("O")).Append(')').ToString();
}
