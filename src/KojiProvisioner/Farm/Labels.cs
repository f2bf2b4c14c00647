namespace KojiProvisioner.Farm;

/// <summary>
/// Labels put on every engine object a farm owns. What exists is learned from these, never from a
/// side file that could drift from the engine.
/// </summary>
public static class Labels
{
    public const string Stack = "koji-farm.stack";
    public const string Role = "koji-farm.role";
    public const string ConfigHash = "koji-farm.config-hash";
    public const string Recipe = "koji-farm.recipe";
    /// <summary>On volumes: SHA-256 of the CA certificate of the state folder that made them.</summary>
    public const string StateFingerprint = "koji-farm.state-fingerprint";
}
