using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KojiProvisioner.Content;

/// <summary>
/// The one JSON document <c>content diff --output json</c> and <c>content apply --output json</c>
/// print. Its shape is versioned by <c>"schema"</c> and documented in docs/content-format.md;
/// a change of shape is a new schema number.
/// </summary>
public static class ContentPlanDocument
{
    public const int Schema = 1;

    public static readonly string[] Actions = ["create", "change", "block", "remove"];

    public static string Write(ContentPlan plan, string command, string? hub, ContentApplyResult? applied = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema", Schema);
            json.WriteString("command", command);
            if (hub is null) json.WriteNull("hub"); else json.WriteString("hub", hub);
            json.WriteStartArray("prune");
            foreach (var kind in plan.Scope.KindNames) json.WriteStringValue(kind);
            json.WriteEndArray();

            json.WriteStartObject("summary");
            foreach (var action in Actions)
                json.WriteNumber(action, plan.Changes.Count(c => Name(c.Action) == action));
            json.WriteNumber("writes", plan.WriteCount);
            json.WriteEndObject();

            json.WriteStartObject("kinds");
            foreach (var group in plan.ByKind)
            {
                json.WriteStartObject(Name(group.Key));
                foreach (var action in Actions)
                {
                    var n = group.Count(c => Name(c.Action) == action);
                    if (n > 0) json.WriteNumber(action, n);
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();

            json.WriteStartArray("changes");
            foreach (var change in plan.ByKind.SelectMany(g => g))
            {
                json.WriteStartObject();
                json.WriteString("kind", Name(change.Kind));
                json.WriteString("name", change.Object);
                json.WriteString("action", Name(change.Action));
                json.WriteBoolean("pruned", change.Pruned);
                json.WriteString("summary", change.Summary);
                json.WritePropertyName("before");
                Value(json, change.Before);
                json.WritePropertyName("after");
                Value(json, change.After);
                json.WriteStartArray("calls");
                foreach (var call in change.Calls) json.WriteStringValue(call.Call.ToString());
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("kept");
            foreach (var kept in plan.Kept) json.WriteStringValue(kept);
            json.WriteEndArray();

            if (applied is null)
                json.WriteNumber("writes", plan.WriteCount);
            else
            {
                json.WriteNumber("applied", applied.Changes);
                json.WriteNumber("writes", applied.Writes);
                json.WriteNumber("batches", applied.Batches);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>snake_case of an enum name: <c>ExternalRepo</c> is <c>external_repo</c>.</summary>
    public static string Name<T>(T value) where T : struct, Enum =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static void Value(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case string s: json.WriteStringValue(s); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case double d: json.WriteNumberValue(d); break;
            case decimal m: json.WriteNumberValue(m); break;
            case IReadOnlyDictionary<string, object?> map:
                json.WriteStartObject();
                foreach (var (k, v) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    json.WritePropertyName(k);
                    Value(json, v);
                }
                json.WriteEndObject();
                break;
            case IEnumerable list:
                json.WriteStartArray();
                foreach (var item in list) Value(json, item);
                json.WriteEndArray();
                break;
            default: json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }
}
