namespace KojiProvisioner;

/// <summary>What the engine is doing; the CLI chooses how to show it (tty, plain, json).</summary>
public enum FarmStep
{
    Network,
    Volume,
    Build,
    Stop,
    Remove,
    Create,
    CopyFiles,
    Start,
    Keep,
    WaitHealthy,
    Healthy,
    OnHealthy,
    /// <summary>Work on a remote builder host over SSH.</summary>
    Remote,
    /// <summary>Backup and restore of a part (database, /mnt/koji, state folder), with bytes.</summary>
    Backup,
    Restore,
    /// <summary>The bootstrapped buildroot: its image, its import into Koji, its tags.</summary>
    Buildroot,
    /// <summary>The state folder gets the CA, certificates and secrets `up`'s plan made.</summary>
    State,
    Warning,
}

/// <summary>One progress event: the step, the resource it concerns, a message, and the time since the command began.</summary>
public sealed record FarmEvent(FarmStep Step, string Resource, string Message, TimeSpan Elapsed)
{
    public bool IsWarning => Step == FarmStep.Warning;

    public override string ToString() => $"[{Elapsed.TotalSeconds,6:0.0}s] {Step,-11} {Resource}: {Message}";
}
