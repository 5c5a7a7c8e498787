using System.Text.Json.Nodes;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>
/// The compiled ARM template (`bicep build`), with helpers to walk its nested deployments (one per Bicep module).
/// Handles both template shapes: `resources` as an array and, for language version 2.0, as a symbolic-name map.
/// </summary>
public sealed class ArmTemplate(JsonObject root)
{
    public JsonObject Root { get; } = root;

    /// <summary>This template and every nested template below it.</summary>
    public IEnumerable<JsonObject> AllTemplates()
    {
        var pending = new Stack<JsonObject>();
        pending.Push(Root);
        while (pending.Count > 0)
        {
            var template = pending.Pop();
            yield return template;
            foreach (var resource in ResourcesOf(template))
            {
                if ((string?)resource["type"] == "Microsoft.Resources/deployments" &&
                    resource["properties"]?["template"] is JsonObject nested)
                {
                    pending.Push(nested);
                }
            }
        }
    }

    /// <summary>Every resource declaration of a given type, at any nesting level.</summary>
    public IEnumerable<JsonObject> ResourcesOfType(string type) =>
        AllTemplates().SelectMany(ResourcesOf)
            .Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    /// <summary>Resources of a type that the template deploys (not `existing` references), at any nesting level.</summary>
    public IEnumerable<JsonObject> DeployedResourcesOfType(string type) =>
        ResourcesOfType(type).Where(r => r["existing"] is null);

    /// <summary>Every output of every template (module outputs are stored in the deployment history too).</summary>
    public IEnumerable<(string Name, JsonObject Output)> AllOutputs() =>
        AllTemplates().SelectMany(t => (t["outputs"] as JsonObject ?? [])
            .Select(o => (o.Key, o.Value!.AsObject())));

    private static IEnumerable<JsonObject> ResourcesOf(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.Select(r => r!.AsObject()),
        JsonObject map => map.Select(r => r.Value!.AsObject()),
        _ => [],
    };
}
