namespace KojiProvisioner.Docker;

/// <summary>Knobs of the engine part. Defaults suit a real farm; tests shorten them.</summary>
public sealed record EngineOptions
{
    /// <summary>How long `docker stop` waits after the stop signal before SIGKILL.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long to wait for a container to become healthy. Null: from its health check
    /// (start period + (interval + timeout) × (retries + 1) + 30 s).
    /// </summary>
    public TimeSpan? HealthTimeout { get; init; }

    /// <summary>How often a container's health is read while waiting.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The folder of image recipes (infra/images).</summary>
    public string ImagesRoot { get; init; } = Assets.Images;

    /// <summary>Network for RUN steps of builds; null is the engine's default bridge, which reaches apt mirrors.</summary>
    public string? BuildNetworkMode { get; init; }

    /// <summary>
    /// Also run a container's health check command directly (docker exec) while waiting for it, so
    /// dependents start as soon as it passes instead of one check interval after the start.
    /// </summary>
    public bool DirectHealthChecks { get; init; } = true;

    /// <summary>Time between direct runs of a health check while waiting.</summary>
    public TimeSpan DirectCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many lines of a failed container's output go into the error message.</summary>
    public int LogTailLines { get; init; } = 20;
}
