using System.Text.Json;
using FaceCraft4D.Weights;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Harness;

/// <summary>
/// The generated ("formula") weights of the parity cases whose upstream widths are too large to store (README
/// "Formula weights"): the tensors named in case.json <c>formula_tensors</c> are left out of <c>weights.safetensors</c>
/// and defined, for state-dict key <c>n</c> and C-order flat index <c>i</c>, as
/// <c>float32(s · sin(0.001·k + 0.1·len(n)))</c> with <c>k = (i·i) mod 6283</c> in exact int64 arithmetic and the rest in
/// float64; <c>s = 0.01</c> for keys ending in <c>bias</c>, else <c>2/√fan_in</c> with <c>fan_in = shape[1]·∏shape[2..]</c>.
/// </summary>
public static class FormulaWeights
{
    private const long Modulus = 6283;

    /// <summary>case.json <c>formula_tensors</c> (empty when the case stores every tensor).</summary>
    public static IReadOnlyList<string> Names(JsonElement caseRoot) =>
        caseRoot.TryGetProperty("formula_tensors", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => e.GetString()!).ToList()
            : [];

    /// <summary>The scale s of one key/shape (see type remarks).</summary>
    public static double Scale(string key, IReadOnlyList<long> shape)
    {
        if (key.EndsWith("bias", StringComparison.Ordinal)) return 0.01;
        if (shape.Count < 2)
            throw new ArgumentException($"Formula weight '{key}' has shape [{string.Join(",", shape)}]: a weight needs at least 2 dimensions for fan_in.");
        long fanIn = shape[1];
        for (int d = 2; d < shape.Count; d++) fanIn *= shape[d];
        return 2.0 / Math.Sqrt(fanIn);
    }

    /// <summary>The values, C order (float32 rounding of the float64 formula).</summary>
    public static float[] Values(string key, IReadOnlyList<long> shape)
    {
        long numel = 1;
        foreach (var d in shape) numel *= d;
        double s = Scale(key, shape);
        double phase = 0.1 * key.Length;
        var values = new float[numel];
        for (long i = 0; i < numel; i++)
        {
            long k = i % Modulus * (i % Modulus) % Modulus; // == (i*i) mod 6283 without overflow for any i
            values[i] = (float)(s * Math.Sin(0.001 * k + phase));
        }
        return values;
    }

    /// <summary>The tensor of <paramref name="key"/> with <paramref name="shape"/>: float32, CPU. Caller disposes.</summary>
    public static Tensor Generate(string key, long[] shape) => tensor(Values(key, shape), shape, ScalarType.Float32);

    /// <summary>
    /// <see cref="Generate(string, long[])"/> for a key that <paramref name="caseRoot"/> (a case.json) lists in
    /// <c>formula_tensors</c>; any other key is an error, since its values are stored, not generated.
    /// </summary>
    public static Tensor Generate(JsonElement caseRoot, string key, long[] shape) => Names(caseRoot).Contains(key)
        ? Generate(key, shape)
        : throw new ArgumentException($"'{key}' is not a formula tensor of this case (formula_tensors: {string.Join(", ", Names(caseRoot))}).", nameof(key));

    /// <summary>
    /// A state dict made of the case's stored <c>weights.safetensors</c> and its generated tensors, readable by the
    /// production loaders as one <see cref="SafeTensorsSource"/>: the formula tensors are written to a temporary shard
    /// and joined to the stored file by a temporary <c>.safetensors.index.json</c>. <paramref name="shapes"/> gives the
    /// state-dict shape of every formula tensor (from the port built for the case's config); a listed name without a
    /// shape, or one the stored file also has, is an error.
    /// </summary>
    public static async Task<CombinedWeights> CombineAsync(ParityCase parityCase, IReadOnlyDictionary<string, long[]> shapes,
        CancellationToken cancellationToken)
    {
        var names = Names(parityCase.Root);
        var unknown = names.Where(n => !shapes.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"{parityCase.Id}: formula tensors {string.Join(", ", unknown)} are not in the port's state dict.");
        using (var stored = await SafeTensorsFile.OpenAsync(parityCase.WeightsPath, cancellationToken))
        {
            var both = names.Where(stored.Entries.ContainsKey).ToList();
            if (both.Count > 0)
                throw new InvalidDataException($"{parityCase.Id}: {string.Join(", ", both)} are both stored and formula tensors.");
        }

        var folder = Directory.CreateTempSubdirectory("fc4d-formula-");
        try
        {
            var shard = Path.Combine(folder.FullName, "formula.safetensors");
            var generated = names.ToDictionary(n => n, n => Generate(n, shapes[n]), StringComparer.Ordinal);
            try
            {
                await SafeTensorsWriter.WriteAsync(shard, generated, cancellationToken: cancellationToken);
            }
            finally
            {
                foreach (var t in generated.Values) t.Dispose();
            }

            var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
            using (var stored = await SafeTensorsFile.OpenAsync(parityCase.WeightsPath, cancellationToken))
                foreach (var key in stored.Entries.Keys) weightMap[key] = Path.GetFullPath(parityCase.WeightsPath);
            foreach (var key in names) weightMap[key] = shard;
            var index = Path.Combine(folder.FullName, "model.safetensors.index.json");
            await File.WriteAllTextAsync(index, JsonSerializer.Serialize(new { weight_map = weightMap }), cancellationToken);
            return new CombinedWeights(index, folder.FullName);
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }
}

/// <summary>A temporary index (<see cref="IndexPath"/>) over a case's stored and generated weights; disposing deletes it.</summary>
public sealed class CombinedWeights(string indexPath, string folder) : IDisposable
{
    /// <summary>A <c>.safetensors.index.json</c> that <see cref="SafeTensorsSource.OpenAsync"/> reads as one state dict.</summary>
    public string IndexPath { get; } = indexPath;

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { /* a reader still holds it on Windows: the OS temp folder cleans up */ }
    }
}
