using System.Text;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Docker;

public enum ResourceKind { Network, Volume, Image, Container }

/// <summary>What `up` does to one resource. Only <see cref="Keep"/> is not a change.</summary>
public enum StepAction { Create, Build, Recreate, Start, Remove, Keep }

/// <summary>One step of a converge plan with the reason for it, e.g. `create demo-builder-3 not found`.</summary>
public sealed record ConvergeStep(ResourceKind Kind, StepAction Action, string Name, string Cause)
{
    /// <summary>The container to run (for create, recreate, start, keep).</summary>
    public ContainerSpec? Container { get; init; }
    /// <summary>The image to build.</summary>
    public ImageSpec? Image { get; init; }
    /// <summary>The engine object this step acts on, when one exists.</summary>
    public string? ExistingId { get; init; }
    /// <summary>The role label of a container, also for orphans that are no longer planned.</summary>
    public string? Role { get; init; }
    /// <summary>A kept container the engine reported running and healthy when it was read for this plan: `up` need not ask again.</summary>
    public bool SeenHealthy { get; init; }

    public bool IsChange => Action != StepAction.Keep;
}

/// <summary>
/// A step of `up` that is no engine object: it runs once the container <see cref="After"/> is
/// healthy and before that container's dependents start (docker compose's hooks are plan steps
/// too). <see cref="Kind"/> says which step it is (a database gate, a registration in Koji); the
/// caller of the executor runs it, the executor only decides nothing and runs it in its place.
/// It runs again on every `up`, so it must be idempotent; that is also how a re-run finishes an
/// interrupted one.
/// </summary>
public sealed record HookStep(string After, string Kind, string Action, string Name, string Cause);

/// <summary>
/// Everything `up` would do, in the order it would do it, as a value: preview prints it, `up` runs it.
/// </summary>
public sealed record ConvergePlan(string Stack, string Network, IReadOnlyList<ConvergeStep> Steps)
{
    /// <summary>Labels for the volumes it creates, beyond the stack's (the state folder's fingerprint).</summary>
    public IReadOnlyDictionary<string, string>? VolumeLabels { get; init; }
    /// <summary>Driver options of the volumes that have them (an NFS /mnt/koji), by name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> VolumeOptions { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
    /// <summary>The farm's own labels (<see cref="FarmPlan.Labels"/>), put on what the plan creates.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The steps that run once a container is healthy, in the order they run.</summary>
    public IReadOnlyList<HookStep> Hooks { get; init; } = [];

    public IEnumerable<ConvergeStep> Of(ResourceKind kind) => Steps.Where(s => s.Kind == kind);

    /// <summary>The hooks that run once <paramref name="container"/> is healthy.</summary>
    public IEnumerable<HookStep> HooksAfter(string container) => Hooks.Where(h => h.After == container);

    public bool HasChanges => Steps.Any(s => s.IsChange);

    /// <summary>How many steps of each action, every action present (zero when none).</summary>
    public IReadOnlyDictionary<StepAction, int> Summary =>
        Enum.GetValues<StepAction>().ToDictionary(a => a, a => Steps.Count(s => s.Action == a));

    /// <summary>e.g. `2 to create, 1 to remove, 4 unchanged`, or `no changes, 5 unchanged`.</summary>
    public string SummaryText
    {
        get
        {
            var parts = Summary.Where(kv => kv.Key != StepAction.Keep && kv.Value > 0)
                .Select(kv => $"{kv.Value} to {Verb(kv.Key)}").ToList();
            var kept = Summary[StepAction.Keep];
            return parts.Count == 0 ? $"no changes, {kept} unchanged" : $"{string.Join(", ", parts)}, {kept} unchanged";
        }
    }

    public static string Verb(StepAction action) => action.ToString().ToLowerInvariant();

    /// <summary>One line per step: action, kind, name, cause, in aligned columns; a container's hooks right after it.</summary>
    public override string ToString()
    {
        var width = Steps.Count == 0 ? 0 : Steps.Max(s => s.Name.Length);
        var text = new StringBuilder();
        foreach (var s in Steps)
        {
            text.Append($"{Verb(s.Action),-8}  {s.Kind.ToString().ToLowerInvariant(),-9}  {s.Name.PadRight(width)}  {s.Cause}".TrimEnd()).Append('\n');
            if (s.Kind == ResourceKind.Container)
                foreach (var h in HooksAfter(s.Name))
                    text.Append($"{h.Action,-8}  {h.Kind,-9}  {h.Name.PadRight(width)}  {h.Cause}".TrimEnd()).Append('\n');
        }
        return text.ToString();
    }
}
