namespace KojiProvisioner.Farm;

/// <summary>
/// Labels put on every engine object a farm owns. What exists is learned from these, never from a
/// side file that could drift from the engine.
/// </summary>
public static class Labels
{
    public const string Stack = "koji-farm.stack";
    /// <summary>The farm role of a container (db, hub, web, kojira, builder), or <see cref="Roles.Helper"/> for a short-lived one.</summary>
    public const string Role = "koji-farm.role";
    /// <summary>On helper containers only: what the short-lived container is for (backup, restore, buildroot-import).</summary>
    public const string Purpose = "koji-farm.purpose";
    public const string ConfigHash = "koji-farm.config-hash";
    public const string Recipe = "koji-farm.recipe";
    /// <summary>On volumes: SHA-256 of the CA certificate of the state folder that made them.</summary>
    public const string StateFingerprint = "koji-farm.state-fingerprint";
    /// <summary>The stack's state folder (CA, keys) as an absolute path: `gc` and `ls` find it even when the stack file is gone.</summary>
    public const string StateDir = "koji-farm.state-dir";
    /// <summary>The host name the hub's published port is reached by (hub.publicHost), for the URL `ls` shows.</summary>
    public const string PublicHost = "koji-farm.public-host";
    /// <summary>When the farm's time is up (UTC, ISO 8601), set by `up --ttl`: `gc` removes it after that. Absent: never expires.</summary>
    public const string Expires = "koji-farm.expires";

    /// <summary>The labels that describe the farm as a whole (<see cref="FarmLabels"/>), not one object of it.</summary>
    public static readonly IReadOnlyList<string> FarmWide = [StateDir, PublicHost, Expires];
}
