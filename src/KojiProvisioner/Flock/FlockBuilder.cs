using System.Diagnostics;
using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Flock;

/// <summary>A package's spec as the builders see it: the commit the ref points at, and the spec text.</summary>
public sealed record FlockSpec(string Commit, string Text);

/// <summary>Reads a package's spec at its ref, from where the builders check it out.</summary>
public interface IFlockSource
{
    Task<FlockSpec> ReadAsync(FlockItem item, CancellationToken ct);
}

/// <summary>One row of the final table (and of the JSON).</summary>
public sealed record FlockBuildRow(
    string Package, string Target, string? Nvr, string State, int? Task, string? LogUrl, string? Host,
    double Seconds, bool Submitted, string? Error = null, int? FailedTask = null, string? FailedMethod = null, string? LogError = null)
{
    public const string Built = "built", Complete = "complete", Failed = "failed", Skipped = "skipped";
    public bool Ok => State is Built or Complete;
}

public sealed record FlockBuildReport(IReadOnlyList<FlockBuildRow> Rows, int Layers, double Seconds)
{
    public bool Ok => Rows.All(r => r.Ok);
    public int Submitted => Rows.Count(r => r.Submitted);
}

/// <summary>Where the hub's files and pages are, as the person running the command reaches them.</summary>
public sealed record FlockUrls(string FilesUrl, string WebUrl);

/// <summary>
/// Builds Flock packages in Koji: per layer, every package whose NVR at its ref is not built yet is
/// submitted (<c>build(git+URL#ref, target)</c>) and watched to the end, one progress line per change
/// (queued, building on which host, complete, failed) with the elapsed time; the next layer waits for
/// a repo of its build tag that holds this layer's builds. A failure is reported with its failing
/// task and build log, and never stops the other builds; packages that need a failed one are skipped.
/// <see cref="PlanAsync"/> is the same look at the hub without the builds: it only reads.
/// At most <see cref="MaxInFlight"/> builds are open at once: Koji hands a build's parent task a job
/// slot of a builder (kojid's maxjobs) and keeps it while the parent waits on its children, so a layer
/// submitted whole could fill every slot with waiting parents and leave their children FREE forever.
/// </summary>
/// <param name="jobSlots">The job slots of the builders that take build tasks (null: no limit).</param>
public sealed class FlockBuilder(IKojiHub hub, IFlockSource source, FlockUrls urls, IProgress<string>? progress,
    TimeSpan? pollInterval = null, TimeSpan? timeout = null, RepoWaiter? repoWaiter = null, int? jobSlots = null)
{
    /// <summary>Builds open at once: half the slots, so every open build's parent leaves a slot for its child task.</summary>
    public int MaxInFlight { get; } = jobSlots is { } slots ? Math.Max(1, slots / 2) : int.MaxValue;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _poll = pollInterval ?? TimeSpan.FromSeconds(2);
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromHours(2);
    private readonly RepoWaiter _repos = repoWaiter ?? new RepoWaiter(hub) { PollInterval = pollInterval ?? TimeSpan.FromSeconds(2) };
    private Dictionary<int, string>? _hosts;

    private readonly Lock _say = new();

    // Builds of a layer are watched concurrently: one line at a time.
    private void Say(string package, string message)
    {
        lock (_say)
            progress?.Report($"[{_clock.Elapsed.TotalSeconds,7:F1} s] {package}: {message}");
    }

    /// <summary>
    /// What <see cref="BuildAsync"/> would do, read from the specs and the hub (reads only): the
    /// layers, each package's source and commit, and which are already built from that commit.
    /// </summary>
    public async Task<FlockBuildPlan> PlanAsync(IReadOnlyList<FlockItem> items, CancellationToken ct)
    {
        // Specs first, all of them: the order of the layers comes from their BuildRequires.
        var specs = new Dictionary<string, FlockSpec>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            specs[item.Name] = await source.ReadAsync(item, ct);
            Say(item.Name, $"{item.Repository.Url} {item.Repository.Ref} is commit {FlockPlannedBuild.Short(specs[item.Name].Commit)}");
        }
        var requires = specs.ToDictionary(s => s.Key, s => FlockPlan.BuildRequiresOf(s.Value.Text), StringComparer.Ordinal);
        var layers = FlockPlan.Layers(items, requires);
        var targets = new Dictionary<string, KojiBuildTarget>(StringComparer.Ordinal);
        foreach (var target in items.Select(i => i.Target).Distinct(StringComparer.Ordinal))
            targets[target] = await hub.GetBuildTargetAsync(target, ct)
                ?? throw new ContentException($"target '{target}' does not exist on the hub: run `koji-farm content apply` (or `up`) first");

        var names = items.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var planned = new List<IReadOnlyList<FlockPlannedBuild>>();
        for (var n = 0; n < layers.Count; n++)
        {
            var layer = new List<FlockPlannedBuild>();
            foreach (var item in layers[n])
            {
                var commit = specs[item.Name].Commit;
                var built = await ExistingBuildAsync(item, commit, ct);
                if (built is not null)
                    Say(item.Name, $"{built.Nvr} is already built from this commit: not submitted");
                layer.Add(new FlockPlannedBuild(item, n + 1, targets[item.Target].BuildTag, item.SourceAt(item.Repository.Ref), commit,
                    requires[item.Name].Where(r => names.Contains(r) && r != item.Name).Order(StringComparer.Ordinal).ToList(), built));
            }
            planned.Add(layer);
        }
        return new FlockBuildPlan(planned);
    }

    public async Task<FlockBuildReport> BuildAsync(IReadOnlyList<FlockItem> items, CancellationToken ct)
    {
        await hub.EnsureLoggedInAsync(ct);
        var plan = await PlanAsync(items, ct);
        var rows = new Dictionary<string, FlockBuildRow>(StringComparer.Ordinal);
        foreach (var layer in plan.Layers)
        {
            var runnable = new List<FlockItem>();
            foreach (var p in layer)
            {
                var failed = p.Needs.Where(r => rows.TryGetValue(r, out var row) && !row.Ok).ToList();
                if (failed.Count > 0)
                {
                    rows[p.Item.Name] = new FlockBuildRow(p.Item.Name, p.Item.Target, null, FlockBuildRow.Skipped, null, null, null, 0, false,
                        $"not built: it BuildRequires {string.Join(", ", failed)}, which failed");
                    Say(p.Item.Name, rows[p.Item.Name].Error!);
                }
                else if (p.Built is { } built)
                    rows[p.Item.Name] = built;
                else
                    runnable.Add(p.Item);
            }
            if (runnable.Count == 0)
                continue;
            // Layer 1 needs the buildroot in the repo; later layers the builds of the ones before.
            var n = layer[0].Layer;
            foreach (var buildTag in layer.Where(p => runnable.Contains(p.Item)).Select(p => p.BuildTag).Distinct(StringComparer.Ordinal))
                await WaitForRepoAsync(buildTag, n == 1 ? null : $"layer {n}", ct);
            if (runnable.Count > MaxInFlight)
                Say($"layer {n}", $"{runnable.Count} builds, {MaxInFlight} open at a time (half the builders' {jobSlots} job slots: a build's parent task holds one while its child runs in another)");
            using var open = new SemaphoreSlim(Math.Min(MaxInFlight, runnable.Count));
            var watched = await Task.WhenAll(runnable.Select(async item =>
            {
                await open.WaitAsync(ct);
                try { return await BuildOneAsync(item, ct); }
                finally { open.Release(); }
            }));
            foreach (var row in watched)
                rows[row.Package] = row;
        }
        return new FlockBuildReport(items.Select(i => rows[i.Name]).ToList(), plan.Layers.Count, _clock.Elapsed.TotalSeconds);
    }

    /// <summary>A complete build of the package made from this commit of its repository, if any.</summary>
    private async Task<FlockBuildRow?> ExistingBuildAsync(FlockItem item, string commit, CancellationToken ct)
    {
        if (await hub.GetPackageIdAsync(item.Name, ct) is not { } packageId)
            return null;
        foreach (var b in await hub.ListBuildsAsync(packageId: packageId, state: BuildState.Complete, ct: ct))
        {
            var src = b.Source ?? (await hub.GetBuildAsync(b.Id, ct))?.Source;
            if (src is null || !SameSource(src, item, commit))
                continue;
            return new FlockBuildRow(item.Name, item.Target, b.Nvr, FlockBuildRow.Built, b.TaskId, await BuildLogUrlAsync(b.Id, ct), null, 0, false);
        }
        return null;
    }

    /// <summary>Koji records <c>scheme://host/path?subdir#commit</c> (kojid's SCM.get_source).</summary>
    internal static bool SameSource(string recorded, FlockItem item, string commit)
    {
        var hash = recorded.LastIndexOf('#');
        if (hash < 0 || !string.Equals(recorded[(hash + 1)..], commit, StringComparison.OrdinalIgnoreCase))
            return false;
        var expected = item.SourceAt(commit);
        static string Normal(string s) => s.Replace("git+", "", StringComparison.Ordinal).TrimEnd('/');
        return string.Equals(Normal(recorded), Normal(expected), StringComparison.Ordinal);
    }

    /// <summary>A repo of the build tag that reflects its latest change (so it holds the layer before).</summary>
    private async Task WaitForRepoAsync(string buildTag, string? forWhat, CancellationToken ct)
    {
        var announced = false;
        var waited = await _repos.WaitAsync(buildTag, fresh: true, _timeout, new CallbackProgress<FarmEvent>(e =>
        {
            if (!announced)
                Say(buildTag, forWhat is null ? "waiting for a repo of the build tag" : $"{forWhat} waits for a repo of {buildTag} that holds the builds before it");
            announced = true;
            Say(buildTag, e.Message);
        }), ct);
        if (!waited.WasReady)
            Say(buildTag, $"repo {waited.RepoId} is ready ({waited.Waited.TotalSeconds:F0} s)");
    }

    private async Task<FlockBuildRow> BuildOneAsync(FlockItem item, CancellationToken ct)
    {
        var started = _clock.Elapsed;
        var src = item.SourceAt(item.Repository.Ref);
        var taskId = await hub.SubmitBuildAsync(src, item.Target, ct);
        Say(item.Name, $"submitted {src} to {item.Target}: task {taskId}, {urls.WebUrl}/taskinfo?taskID={taskId}");
        string? lastLine = null;
        string? host = null;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var state = (await hub.GetTaskInfoAsync(taskId, ct)).State;
            var seconds = (_clock.Elapsed - started).TotalSeconds;
            if (state == TaskState.Closed)
            {
                var build = (await hub.ListBuildsAsync(taskId: taskId, ct: ct)).FirstOrDefault();
                var log = build is null ? null : await BuildLogUrlAsync(build.Id, ct);
                Say(item.Name, $"complete: {build?.Nvr} in {seconds:F0} s");
                return new FlockBuildRow(item.Name, item.Target, build?.Nvr, FlockBuildRow.Complete, taskId, log, host, seconds, true);
            }
            if (state is TaskState.Failed or TaskState.Canceled)
            {
                var (failedId, method, error) = await FailingTaskAsync(taskId, ct);
                var log = await TaskLogUrlAsync(failedId, ct);
                var why = await BuildLogs.FirstErrorAsync(hub, failedId, ct);
                Say(item.Name, $"FAILED after {seconds:F0} s in {method} task {failedId}: {error}{(why is null ? "" : $": {why}")}; log {log}");
                return new FlockBuildRow(item.Name, item.Target, null, FlockBuildRow.Failed, taskId, log, host, seconds, true, error, failedId, method, why);
            }
            var (line, runningOn) = await ActivityAsync(taskId, state, ct);
            host = runningOn ?? host;
            if (line != lastLine)
            {
                Say(item.Name, line);
                lastLine = line;
            }
            if (watch.Elapsed > _timeout)
                throw new FarmException($"build of {item.Name} (task {taskId}) did not finish in {_timeout.TotalMinutes:F0} min");
            await Task.Delay(_poll, ct);
        }
    }

    /// <summary>What the build does now: queued, or which of its tasks runs on which host.</summary>
    private async Task<(string Line, string? Host)> ActivityAsync(int taskId, TaskState state, CancellationToken ct)
    {
        var children = await hub.GetTaskChildrenAsync(taskId, ct);
        var running = children.FirstOrDefault(c => c.State is TaskState.Open or TaskState.Assigned && c.HostId is not null);
        if (running is not null)
        {
            var host = await HostNameAsync(running.HostId!.Value, ct);
            return ($"building on {host} ({running.Method}{(running.Arch is { } a && a != "noarch" ? " " + a : "")})", host);
        }
        if (state == TaskState.Free || children.Count == 0)
            return ("queued (waiting for a builder)", null);
        if (children.Any(c => c.State == TaskState.Free))
            return ("queued (next step waiting for a builder)", null);
        return ("building (between steps)", null);
    }

    private async Task<string> HostNameAsync(int id, CancellationToken ct)
    {
        if (_hosts is null || !_hosts.ContainsKey(id))
            _hosts = (await hub.ListHostsAsync(ct)).ToDictionary(h => h.Id, h => h.Name);
        return _hosts.GetValueOrDefault(id, $"host {id}");
    }

    /// <summary>The deepest failed task under the build (the one whose log says why), and its error.</summary>
    private async Task<(int Id, string Method, string Error)> FailingTaskAsync(int taskId, CancellationToken ct)
    {
        var id = taskId;
        var method = "build";
        while ((await hub.GetTaskChildrenAsync(id, ct)).FirstOrDefault(c => c.State == TaskState.Failed) is { } failed)
        {
            id = failed.Id;
            method = failed.Method;
        }
        string error;
        try
        {
            await hub.GetTaskResultAsync(id, ct);
            error = "failed";
        }
        catch (KojiFaultException e)
        {
            error = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? e.Message;
        }
        return (id, method, error);
    }

    /// <summary>Where a task's output lies under the hub's /kojifiles URL (koji.pathinfo.task: work/tasks/ID % 10000/ID).</summary>
    private const string TaskWorkFolders = "work/tasks";

    private async Task<string> TaskLogUrlAsync(int taskId, CancellationToken ct)
    {
        var files = await hub.ListTaskOutputAsync(taskId, ct);
        var log = new[] { "build.log", "root.log", "mock_output.log" }.FirstOrDefault(files.Contains)
            ?? files.FirstOrDefault(f => f.EndsWith(".log", StringComparison.Ordinal));
        var folder = $"{urls.FilesUrl}/{TaskWorkFolders}/{taskId % 10000}/{taskId}";
        return log is null ? folder + "/" : $"{folder}/{log}";
    }

    private async Task<string?> BuildLogUrlAsync(int buildId, CancellationToken ct)
    {
        var logs = await hub.GetBuildLogsAsync(buildId, ct);
        var log = logs.FirstOrDefault(l => l.Name == "build.log" && l.Dir != "src")
            ?? logs.FirstOrDefault(l => l.Name == "build.log");
        return log is null ? null : $"{urls.FilesUrl}/{log.Path}";
    }
}
