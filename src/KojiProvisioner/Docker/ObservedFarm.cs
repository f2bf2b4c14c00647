namespace KojiProvisioner.Docker;

/// <summary>
/// What one stack has on the engine, read once (by its labels) at the start of a command. Plain
/// data, so the planner is a pure function that tests feed by hand.
/// </summary>
public sealed record ObservedFarm(
    string Stack,
    IReadOnlyList<ObservedContainer> Containers,
    IReadOnlyList<string> Networks,
    IReadOnlyList<string> Volumes,
    IReadOnlyDictionary<string, string> ImageIds)
{
    public static ObservedFarm Empty(string stack) =>
        new(stack, [], [], [], new Dictionary<string, string>(StringComparer.Ordinal));

    public ObservedContainer? Container(string name) => Containers.FirstOrDefault(c => c.Name == name);
}

/// <summary>
/// One container with the stack's label, as the engine reports it.
/// <paramref name="EverStarted"/> is false for a container that was created but never started:
/// a run was interrupted between create, file copy-in and start, so its files may be missing.
/// </summary>
public sealed record ObservedContainer(
    string Id,
    string Name,
    string Role,
    string ConfigHash,
    string ImageId,
    string State,
    string? Health,
    bool EverStarted,
    long ExitCode = 0,
    string? LastHealthOutput = null,
    IReadOnlyList<string>? Ports = null,
    DateTime? StartedAt = null)
{
    public bool Running => State is "running" or "restarting";
}

/// <summary>Docker's container states, as strings because that is how the engine reports them.</summary>
public static class ContainerStates
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Restarting = "restarting";
    public const string Paused = "paused";
    public const string Exited = "exited";
    public const string Dead = "dead";
    public const string Removing = "removing";
    /// <summary>Not a Docker state: planned, but no such container exists.</summary>
    public const string Missing = "missing";
}
