using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KojiProvisioner;

/// <summary>
/// The one JSON policy of every `--output json` document (a documented contract, see
/// docs/architecture.md): camelCase property names, indented, nulls left out; enum values in
/// snake_case, the words content files use (<c>external_repo</c>).
/// </summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Serialize(object value) => JsonSerializer.Serialize(value, Options);
}
