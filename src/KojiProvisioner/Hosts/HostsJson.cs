using System.Text.Json;
using System.Text.Json.Serialization;
using KojiProvisioner.Config;

namespace KojiProvisioner.Hosts;

/// <summary>
/// The JSON shapes of the remote hosts a stack set up and of the host keys learnt from them,
/// generated at build time: camelCase, indented, nulls written.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(List<RemoteBuilderSpec>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
internal sealed partial class HostsJson : JsonSerializerContext
{
    /// <summary>The same shapes with <c>+</c>, <c>/</c> and other printable characters left unescaped, for files people read.</summary>
    public static HostsJson Relaxed { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
