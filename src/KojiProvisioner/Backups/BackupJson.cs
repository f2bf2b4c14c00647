using System.Text.Json.Serialization;

namespace KojiProvisioner.Backups;

/// <summary>
/// The JSON shapes of a backup's manifest and of a pending restore, generated at build time:
/// camelCase, indented, nulls written. Reading and writing them needs no serializer built at run time.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(BackupManifest))]
[JsonSerializable(typeof(PendingRestore))]
internal sealed partial class BackupJson : JsonSerializerContext;
