using KojiProvisioner.Farm;
using System.Diagnostics;
using System.Globalization;
using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Operations;

/// <summary>One thing a usable farm needs, and what was seen of it.</summary>
public sealed record ReadinessCheck(string What, bool Ready, string Detail)
{
    public override string ToString() => $"{What}: {Detail}";
}

/// <summary>
/// Waits, named after their conditions, for a farm to be usable from outside: the hub answers,
/// every builder is ready in Koji, kojira runs (`up --wait`); and for a tag's repo to be READY
/// (`wait-repo`). A timeout names each thing that is not ready and what was seen of it.
/// </summary>
public sealed class FarmReadiness(Stack stack, IKojiHub hub, DockerEngine? engine)
{
    /// <summary>A builder whose last contact with the hub is older than this is not ready (Koji keeps a killed one `ready` for minutes).</summary>
    private static readonly TimeSpan HostUpdateMaxAge = TimeSpan.FromSeconds(60);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Between two looks at a repo request (one light call each): a CI job waits on this, and a
    /// repo is often READY well inside a second of the last look. What the request waits for
    /// (builders, tasks: several calls) is asked only every <see cref="DescribeInterval"/>.
    /// </summary>
    public TimeSpan RepoPollInterval { get; init; } = TimeSpan.FromSeconds(0.25);

    public TimeSpan DescribeInterval { get; init; } = TimeSpan.FromSeconds(2);

    private FarmNames Names => new(stack.Spec);

    /// <summary>Looks once: the hub, each builder (local and remote), kojira.</summary>
    public async Task<IReadOnlyList<ReadinessCheck>> CheckAsync(CancellationToken ct)
    {
        var checks = new List<ReadinessCheck>();
        var spec = stack.Spec;
        var builders = Enumerable.Range(1, spec.Builders.Count).Select(Names.Builder).Concat(spec.Builders.Remote.Select(r => r.Name)).ToList();
        try
        {
            var version = await hub.GetApiVersionAsync(ct);
            checks.Add(new ReadinessCheck("hub", true, $"{Names.PublicHubUrl} answers (API version {version})"));
        }
        catch (Exception e) when (e is KojiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            checks.Add(new ReadinessCheck("hub", false, $"{Names.PublicHubUrl} does not answer: {e.Message}"));
            checks.AddRange(builders.Select(b => new ReadinessCheck($"builder {b}", false, "unknown: the hub does not answer")));
            if (spec.Kojira.Enabled)
                checks.Add(await KojiraAsync(ct));
            return checks;
        }

        var hosts = (await hub.ListHostsAsync(ct)).ToDictionary(h => h.Name, StringComparer.Ordinal);
        foreach (var name in builders)
            checks.Add(await BuilderAsync(name, hosts.GetValueOrDefault(name), ct));
        if (spec.Kojira.Enabled)
            checks.Add(await KojiraAsync(ct));
        return checks;
    }

    private async Task<ReadinessCheck> BuilderAsync(string name, KojiHost? host, CancellationToken ct)
    {
        var what = $"builder {name}";
        if (host is null)
            return new ReadinessCheck(what, false, "not registered in Koji (up registers it)");
        if (!host.Enabled)
            return new ReadinessCheck(what, false, "disabled in Koji");
        if (await hub.GetLastHostUpdateAsync(host.Id, ct) is not { } last)
            return new ReadinessCheck(what, false, "kojid has never contacted the hub");
        var age = DateTimeOffset.UtcNow - last;
        if (age > HostUpdateMaxAge)
            return new ReadinessCheck(what, false, $"kojid last contacted the hub {age.TotalSeconds:0} s ago");
        if (!host.Ready)
            return new ReadinessCheck(what, false, $"kojid runs but says it is not ready{LoadHint()}");
        return new ReadinessCheck(what, true, $"ready (last contact {Math.Max(0, age.TotalSeconds):0} s ago)");
    }

    /// <summary>kojid takes no task while the load average is above 4 per CPU; the hub is not told why.</summary>
    private static string LoadHint()
    {
        try
        {
            var load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
            var max = 4.0 * Environment.ProcessorCount;
            return load > max ? $" (load average here {load:0.0} > {max:0}: kojid takes no task until it drops)" : "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    private async Task<ReadinessCheck> KojiraAsync(CancellationToken ct)
    {
        var name = Names.Container(Roles.Kojira);
        if (engine is null)
            return new ReadinessCheck("kojira", true, "not checked (no engine)");
        var c = await engine.InspectContainerAsync(name, ct);
        if (c is null)
            return new ReadinessCheck("kojira", false, $"container {name} does not exist (up creates it)");
        var health = c.State?.Health?.Status is { Length: > 0 } h && h != "none" ? h : null;
        if (c.State?.Running != true)
            return new ReadinessCheck("kojira", false, $"container {name} is {c.State?.Status ?? "in no known state"}" +
                (c.State?.Status == ContainerStates.Exited ? $" (exit code {c.State.ExitCode})" : ""));
        if (health == "unhealthy")
            return new ReadinessCheck("kojira", false, $"container {name} runs but is unhealthy: {c.State.Health?.Log?.LastOrDefault()?.Output?.Trim()}");
        return new ReadinessCheck("kojira", true, $"container {name} runs{(health is null ? "" : $" ({health})")}");
    }

    /// <summary>Returns once every check passes; after <paramref name="timeout"/> fails naming each that did not.</summary>
    public async Task<IReadOnlyList<ReadinessCheck>> WaitAsync(TimeSpan timeout, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var checks = await CheckAsync(ct);
            var waiting = checks.Where(c => !c.Ready).ToList();
            if (waiting.Count == 0)
            {
                progress?.Report(new FarmEvent(FarmStep.Healthy, stack.Name, "ready: " + string.Join("; ", checks.Select(c => c.What)), clock.Elapsed));
                return checks;
            }
            if (clock.Elapsed >= timeout)
                throw new FarmException($"farm {stack.Name} is not ready after {timeout.TotalSeconds:0} s: " +
                    string.Join("; ", waiting.Select(c => c.ToString())));
            foreach (var c in waiting.Where(c => reported.Add(c.ToString())))
                progress?.Report(new FarmEvent(FarmStep.WaitHealthy, c.What, c.Detail, clock.Elapsed));
            await Task.Delay(PollInterval, ct);
        }
    }

    /// <summary>
    /// Returns once <paramref name="tag"/> has a READY repo: the current one when it is valid, else the
    /// one kojira and a builder make for a repo request (Koji 1.35 `repo.request`). With
    /// <paramref name="fresh"/> the repo must reflect the tag's latest change (what `regen-repo` asks).
    /// </summary>
    public async Task<ReadyRepo> WaitRepoAsync(string tag, bool fresh, TimeSpan timeout, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        if (!await hub.TagExistsAsync(tag, ct))
            throw new InputException($"there is no tag '{tag}' on the hub of stack {stack.Name} ({Names.PublicHubUrl})");
        return await RepoWaiter().WaitAsync(tag, fresh, timeout, progress, ct);
    }

    /// <summary>A repo wait whose words for a pending request name this farm's builders and kojira.</summary>
    public RepoWaiter RepoWaiter() =>
        new(hub, WhatRepoWaitsForAsync) { PollInterval = RepoPollInterval, DescribeInterval = DescribeInterval };

    /// <summary>Where a pending request stands, in words: no task yet (kojira's part) or a task waiting for a builder.</summary>
    private async Task<string> WhatRepoWaitsForAsync(RepoRequestStatus status, CancellationToken ct)
    {
        if (status.Task is { } task)
        {
            var state = task.State.KojiName();
            var builders = (await CheckAsync(ct)).Where(c => c.What.StartsWith("builder ", StringComparison.Ordinal)).ToList();
            var ready = builders.Count(b => b.Ready);
            return $"has newRepo task {task.Id} ({state}); {ready} of {builders.Count} builders ready" +
                (ready < builders.Count ? ": " + string.Join("; ", builders.Where(b => !b.Ready)) : "");
        }
        if (!stack.Spec.Kojira.Enabled)
            return "has no task: kojira is disabled in the stack, and without it no repo is ever made";
        var kojira = await KojiraAsync(ct);
        return $"has no task yet: kojira makes it ({kojira.Detail})";
    }
}
