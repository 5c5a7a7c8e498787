using System.Text.Json;
using FaceCraft4D.Weights;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Harness;

/// <summary>
/// One case folder: <c>case.json</c>, <c>weights.safetensors</c> (upstream key names) and <c>tensors.safetensors</c>
/// (<c>in.*</c> inputs, <c>out.*</c> expected outputs), read with the production safetensors reader.
/// </summary>
public sealed class ParityCase : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    private ParityCase(string id, string directory, JsonDocument json, Dictionary<string, Tensor> tensors)
    {
        Id = id;
        Directory = directory;
        Json = json;
        _tensors = tensors;
    }

    /// <summary>"module/case".</summary>
    public string Id { get; }

    public string Directory { get; }

    private JsonDocument Json { get; }

    /// <summary>The whole case.json.</summary>
    public JsonElement Root => Json.RootElement;

    /// <summary>case.json <c>module</c>.</summary>
    public string Module => Root.GetProperty("module").GetString()!;

    /// <summary>case.json <c>config</c>: the upstream constructor kwargs as passed.</summary>
    public JsonElement Config => Root.GetProperty("config");

    /// <summary>case.json <c>seed</c> (0 when absent).</summary>
    public int Seed => Root.TryGetProperty("seed", out var s) ? s.GetInt32() : 0;

    /// <summary>Path of <c>weights.safetensors</c> (upstream state_dict key names).</summary>
    public string WeightsPath => Path.Combine(Directory, "weights.safetensors");

    /// <summary>Input <c>in.&lt;name&gt;</c> (float32, CPU); owned by the case.</summary>
    public Tensor Input(string name) => Get("in." + name);

    /// <summary>Expected outputs keyed <c>out.&lt;name&gt;</c>; owned by the case.</summary>
    public IReadOnlyDictionary<string, Tensor> ExpectedOutputs =>
        _tensors.Where(kv => kv.Key.StartsWith("out.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    public bool HasInput(string name) => _tensors.ContainsKey("in." + name);

    public ParityTolerance ToleranceFor(string outputName) => ParityTolerance.For(Root, outputName);

    public static async Task<ParityCase> LoadAsync(string folder, string id, CancellationToken cancellationToken = default)
    {
        var dir = Path.Combine(folder, id);
        var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "case.json"), cancellationToken));
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (var file = await SafeTensorsFile.OpenAsync(Path.Combine(dir, "tensors.safetensors"), cancellationToken))
            foreach (var name in file.Entries.Keys)
                tensors[name] = await file.ReadTensorAsync(name, cancellationToken: cancellationToken);
        return new ParityCase(id, dir, json, tensors);
    }

    private Tensor Get(string key) => _tensors.TryGetValue(key, out var t)
        ? t
        : throw new KeyNotFoundException($"{Id}: tensors.safetensors has no '{key}' (has {string.Join(", ", _tensors.Keys)}).");

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        Json.Dispose();
    }
}
