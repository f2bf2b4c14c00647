using System.Text.Json;
using System.Text.Json.Serialization;
using KojiProvisioner.Config;
using KojiProvisioner.Operations;

namespace KojiProvisioner;

/// <summary>
/// The JSON shapes of the files koji-farm keeps (a backup's manifest, a pending restore, the
/// remote hosts a stack set up, learnt host keys), generated at build time: camelCase, indented,
/// nulls written. Reading and writing them needs no serializer built at run time.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(BackupManifest))]
[JsonSerializable(typeof(PendingRestore))]
[JsonSerializable(typeof(List<RemoteBuilderSpec>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
[JsonSerializable(typeof(KojiProvisioner.Pki.UserRegistryFile))]
internal sealed partial class StateFileJson : JsonSerializerContext
{
    /// <summary>The same shapes with <c>+</c>, <c>/</c> and other printable characters left unescaped, for files people read.</summary>
    public static StateFileJson Relaxed { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
