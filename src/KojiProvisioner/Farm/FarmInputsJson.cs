using System.Text.Json;
using System.Text.Json.Serialization;

namespace KojiProvisioner.Farm;

/// <summary>The JSON shape of <c>inputs.json</c>, generated at build time: camelCase, indented.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(FarmInputs))]
internal sealed partial class FarmInputsJson : JsonSerializerContext
{
    /// <summary>The same shape with <c>+</c>, <c>/</c> and other printable characters left unescaped, for a file people read.</summary>
    public static FarmInputsJson Relaxed { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
