using System.Text.Json.Nodes;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>
/// `bicep snapshot` of one parameters file: the compiled ARM template evaluated with that environment's values,
/// every resource of every nested deployment flattened into one list (what a deployment would create).
/// </summary>
public sealed class ArmSnapshot(JsonObject document)
{
    public IReadOnlyList<JsonObject> Resources { get; } =
        [.. document["predictedResources"]!.AsArray().Select(r => r!.AsObject())];

    public JsonObject Outputs { get; } = document["outputs"]?.AsObject() ?? [];

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Single(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"expected one {type}, found {matches.Count}");
        return matches[0];
    }
}
