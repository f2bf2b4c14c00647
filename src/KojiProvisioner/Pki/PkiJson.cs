using System.Text.Json.Serialization;

namespace KojiProvisioner.Pki;

/// <summary>The JSON shape of <c>pki/users.json</c> (the certificates issued to people and robots, the CRL's state), generated at build time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(UserRegistryFile))]
internal sealed partial class PkiJson : JsonSerializerContext;
