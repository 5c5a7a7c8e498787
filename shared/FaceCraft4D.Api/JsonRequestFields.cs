using System.Text.Json;
using System.Text.Json.Nodes;

namespace FaceCraft4D.Api;

/// <summary>
/// Reads the fields of a JSON request body with their expected JSON types: a field of the wrong type is a
/// <see cref="BadSubmissionException"/> (400, reason <c>invalid-request</c>) naming the field, never a server error.
/// </summary>
public static class JsonRequestFields
{
    /// <summary>Reason code of a field of the wrong JSON type.</summary>
    public const string InvalidRequest = "invalid-request";

    /// <summary>Parses a request body that must be a JSON object (an empty or <c>null</c> body is an empty object when <paramref name="allowEmpty"/>).</summary>
    public static async Task<JsonObject> ReadObjectAsync(Stream body, bool allowEmpty, CancellationToken cancellationToken)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            throw new BadSubmissionException("invalid-json", "The body is not valid JSON; send a JSON object.");
        }

        return node switch
        {
            JsonObject o => o,
            null when allowEmpty => [],
            null => throw new BadSubmissionException("invalid-json", "The JSON body is empty; send a JSON object."),
            _ => throw new BadSubmissionException("invalid-json", $"The JSON body is a {node.GetValueKind().ToString().ToLowerInvariant()}; send a JSON object."),
        };
    }

    /// <summary>The string field <paramref name="name"/>, or null when absent or JSON <c>null</c>.</summary>
    public static string? OptionalString(JsonObject body, string name) =>
        body[name] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            var other => throw WrongType(name, "a string", other),
        };

    /// <summary>The object field <paramref name="name"/>, or null when absent or JSON <c>null</c>.</summary>
    public static JsonObject? OptionalObject(JsonObject body, string name) =>
        body[name] switch
        {
            null => null,
            JsonObject o => o,
            var other => throw WrongType(name, "a JSON object", other),
        };

    private static BadSubmissionException WrongType(string name, string expected, JsonNode found) =>
        new(InvalidRequest, $"Field '{name}' must be {expected}, not a {found.GetValueKind().ToString().ToLowerInvariant()}.");
}
