namespace KojiProvisioner.Koji;

// Koji's state numbers (koji/__init__.py 1.35: TASK_STATES, BUILD_STATES, REPO_STATES), as the
// hub sends them. The names are Koji's own, so `ToString().ToUpperInvariant()` is what `koji` prints.

/// <summary>A task's state (koji.TASK_STATES).</summary>
public enum TaskState
{
    Free = 0,
    Open = 1,
    Closed = 2,
    Canceled = 3,
    Assigned = 4,
    Failed = 5,
}

/// <summary>A build's state (koji.BUILD_STATES).</summary>
public enum BuildState
{
    Building = 0,
    Complete = 1,
    Deleted = 2,
    Failed = 3,
    Canceled = 4,
}

/// <summary>A repo's state (koji.REPO_STATES).</summary>
public enum RepoState
{
    Init = 0,
    Ready = 1,
    Expired = 2,
    Deleted = 3,
    Problem = 4,
}

public static class KojiStates
{
    /// <summary>Koji's name for a state (<c>FAILED</c>), or <c>state N</c> for a number Koji 1.35 does not define.</summary>
    public static string KojiName<T>(this T state) where T : struct, Enum =>
        Enum.IsDefined(state) ? state.ToString().ToUpperInvariant() : $"state {Convert.ToInt32(state, System.Globalization.CultureInfo.InvariantCulture)}";
}
