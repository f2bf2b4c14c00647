using System.Diagnostics;
using System.Globalization;
using KojiProvisioner.Content;
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
/// </summary>
public sealed class FlockBuilder(IKojiHub hub, IFlockSource source, FlockUrls urls, IProgress<string>? progress,
    TimeSpan? pollInterval = null, TimeSpan? timeout = null)
{
    private const int TaskFree = 0, TaskOpen = 1, TaskClosed = 2, TaskCanceled = 3, TaskAssigned = 4, TaskFailed = 5;
    private const int BuildComplete = 1, RepoReady = 1;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _poll = pollInterval ?? TimeSpan.FromSeconds(2);
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromHours(2);
    private Dictionary<int, string>? _hosts;

    private readonly Lock _say = new();

    // Builds of a layer are watched concurrently: one line at a time.
    private void Say(string package, string message)
    {
        lock (_say)
            progress?.Report($"[{_clock.Elapsed.TotalSeconds,7:F1} s] {package}: {message}");
    }

    public async Task<FlockBuildReport> BuildAsync(IReadOnlyList<FlockItem> items, CancellationToken ct)
    {
        await hub.EnsureLoggedInAsync(ct);
        // Specs first, all of them: the order of the layers comes from their BuildRequires.
        var specs = new Dictionary<string, FlockSpec>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            specs[item.Name] = await source.ReadAsync(item, ct);
            Say(item.Name, $"{item.Repository.Url} {item.Repository.Ref} is commit {specs[item.Name].Commit[..Math.Min(12, specs[item.Name].Commit.Length)]}");
        }
        var layers = FlockPlan.Layers(items, specs.ToDictionary(s => s.Key, s => FlockPlan.BuildRequiresOf(s.Value.Text)));
        var targets = new Dictionary<string, (string BuildTag, string DestTag)>(StringComparer.Ordinal);
        foreach (var target in items.Select(i => i.Target).Distinct(StringComparer.Ordinal))
        {
            var info = await hub.CallAsync(new KojiCall("getBuildTarget", target), ct) as IReadOnlyDictionary<string, object?>
                ?? throw new ContentException($"target '{target}' does not exist on the hub: run `koji-farm content apply` (or `up`) first");
            targets[target] = ((string)info["build_tag_name"]!, (string)info["dest_tag_name"]!);
        }

        var rows = new Dictionary<string, FlockBuildRow>(StringComparer.Ordinal);
        for (var n = 0; n < layers.Count; n++)
        {
            var layer = layers[n];
            var runnable = new List<FlockItem>();
            foreach (var item in layer)
            {
                var needs = FlockPlan.BuildRequiresOf(specs[item.Name].Text).Where(r => rows.TryGetValue(r, out var row) && !row.Ok).ToList();
                if (needs.Count > 0)
                {
                    rows[item.Name] = new FlockBuildRow(item.Name, item.Target, null, FlockBuildRow.Skipped, null, null, null, 0, false,
                        $"not built: it BuildRequires {string.Join(", ", needs)}, which failed");
                    Say(item.Name, rows[item.Name].Error!);
                    continue;
                }
                if (await ExistingBuildAsync(item, specs[item.Name].Commit, ct) is { } built)
                {
                    rows[item.Name] = built;
                    Say(item.Name, $"{built.Nvr} is already built from this commit: not submitted");
                    continue;
                }
                runnable.Add(item);
            }
            if (runnable.Count == 0)
                continue;
            // Layer 1 needs the buildroot in the repo; later layers the builds of the ones before.
            foreach (var buildTag in runnable.Select(i => targets[i.Target].BuildTag).Distinct(StringComparer.Ordinal))
                await WaitForRepoAsync(buildTag, n == 0 ? null : $"layer {n + 1}", ct);
            var watched = await Task.WhenAll(runnable.Select(item => BuildOneAsync(item, ct)));
            foreach (var row in watched)
                rows[row.Package] = row;
        }
        return new FlockBuildReport(items.Select(i => rows[i.Name]).ToList(), layers.Count, _clock.Elapsed.TotalSeconds);
    }

    /// <summary>A complete build of the package made from this commit of its repository, if any.</summary>
    private async Task<FlockBuildRow?> ExistingBuildAsync(FlockItem item, string commit, CancellationToken ct)
    {
        var package = await hub.CallAsync(new KojiCall("getPackage", item.Name), ct) as IReadOnlyDictionary<string, object?>;
        if (package is null)
            return null;
        var builds = (IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listBuilds", new KojiKwargs
        {
            { "packageID", package["id"] }, { "state", BuildComplete },
        }), ct))!;
        foreach (var b in builds.Cast<IReadOnlyDictionary<string, object?>>())
        {
            var info = b.ContainsKey("source") ? b : await hub.CallAsync(new KojiCall("getBuild", b["build_id"]), ct) as IReadOnlyDictionary<string, object?>;
            if (info?["source"] is not string src || !SameSource(src, item, commit))
                continue;
            var nvr = (string)b["nvr"]!;
            return new FlockBuildRow(item.Name, item.Target, nvr, FlockBuildRow.Built, b["task_id"] is { } t ? Convert.ToInt32(t, CultureInfo.InvariantCulture) : null,
                await BuildLogUrlAsync(b["build_id"], ct), null, 0, false);
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

    private async Task WaitForRepoAsync(string buildTag, string? forWhat, CancellationToken ct)
    {
        var check = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync(new KojiCall("repo.request", buildTag, new KojiKwargs { { "min_event", "last" } }), ct))!;
        if (check["repo"] is IReadOnlyDictionary<string, object?>)
            return;
        var requestId = Convert.ToInt32(((IReadOnlyDictionary<string, object?>)check["request"]!)["id"], CultureInfo.InvariantCulture);
        Say(buildTag, forWhat is null ? "waiting for a repo of the build tag" : $"{forWhat} waits for a repo of {buildTag} that holds the builds before it");
        var watch = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var status = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync(new KojiCall("repo.checkRequest", requestId), ct))!;
            if (status["repo"] is IReadOnlyDictionary<string, object?> repo && Convert.ToInt32(repo["state"], CultureInfo.InvariantCulture) == RepoReady)
            {
                Say(buildTag, $"repo {repo["id"]} is ready ({watch.Elapsed.TotalSeconds:F0} s)");
                return;
            }
            if (watch.Elapsed > _timeout)
                throw new FarmException($"no repo of {buildTag} after {watch.Elapsed.TotalMinutes:F0} min (repo request {requestId}): is kojira running, and a builder in channel createrepo?");
            await Task.Delay(_poll, ct);
        }
    }

    private async Task<FlockBuildRow> BuildOneAsync(FlockItem item, CancellationToken ct)
    {
        var started = _clock.Elapsed;
        var src = item.SourceAt(item.Repository.Ref);
        var taskId = Convert.ToInt32(await hub.CallAsync(new KojiCall("build", src, item.Target, new Dictionary<string, object?>()), ct), CultureInfo.InvariantCulture);
        Say(item.Name, $"submitted {src} to {item.Target}: task {taskId}, {urls.WebUrl}/taskinfo?taskID={taskId}");
        string? lastLine = null;
        string? host = null;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var task = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync(new KojiCall("getTaskInfo", taskId), ct))!;
            var state = Convert.ToInt32(task["state"], CultureInfo.InvariantCulture);
            var seconds = (_clock.Elapsed - started).TotalSeconds;
            if (state == TaskClosed)
            {
                var builds = (IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listBuilds", new KojiKwargs { { "taskID", taskId } }), ct))!;
                var build = builds.Cast<IReadOnlyDictionary<string, object?>>().FirstOrDefault();
                var nvr = (string?)build?["nvr"];
                var log = build is null ? null : await BuildLogUrlAsync(build["build_id"], ct);
                Say(item.Name, $"complete: {nvr} in {seconds:F0} s");
                return new FlockBuildRow(item.Name, item.Target, nvr, FlockBuildRow.Complete, taskId, log, host, seconds, true);
            }
            if (state is TaskFailed or TaskCanceled)
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
    private async Task<(string Line, string? Host)> ActivityAsync(int taskId, int state, CancellationToken ct)
    {
        var children = ((IEnumerable<object?>)(await hub.CallAsync(new KojiCall("getTaskChildren", taskId), ct))!)
            .Cast<IReadOnlyDictionary<string, object?>>().ToList();
        var running = children.FirstOrDefault(c => Convert.ToInt32(c["state"], CultureInfo.InvariantCulture) is TaskOpen or TaskAssigned && c["host_id"] is not null);
        if (running is not null)
        {
            var host = await HostNameAsync(Convert.ToInt32(running["host_id"], CultureInfo.InvariantCulture), ct);
            return ($"building on {host} ({running["method"]}{(running["arch"] is string a && a != "noarch" ? " " + a : "")})", host);
        }
        if (state == TaskFree || children.Count == 0)
            return ("queued (waiting for a builder)", null);
        if (children.Any(c => Convert.ToInt32(c["state"], CultureInfo.InvariantCulture) == TaskFree))
            return ("queued (next step waiting for a builder)", null);
        return ("building (between steps)", null);
    }

    private async Task<string> HostNameAsync(int id, CancellationToken ct)
    {
        if (_hosts is null || !_hosts.ContainsKey(id))
            _hosts = ((IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listHosts"), ct))!)
                .Cast<IReadOnlyDictionary<string, object?>>()
                .ToDictionary(h => Convert.ToInt32(h["id"], CultureInfo.InvariantCulture), h => (string)h["name"]!);
        return _hosts.GetValueOrDefault(id, $"host {id}");
    }

    /// <summary>The deepest failed task under the build (the one whose log says why), and its error.</summary>
    private async Task<(int Id, string Method, string Error)> FailingTaskAsync(int taskId, CancellationToken ct)
    {
        var id = taskId;
        var method = "build";
        while (true)
        {
            var failed = ((IEnumerable<object?>)(await hub.CallAsync(new KojiCall("getTaskChildren", id), ct))!)
                .Cast<IReadOnlyDictionary<string, object?>>()
                .FirstOrDefault(c => Convert.ToInt32(c["state"], CultureInfo.InvariantCulture) == TaskFailed);
            if (failed is null)
                break;
            id = Convert.ToInt32(failed["id"], CultureInfo.InvariantCulture);
            method = (string)failed["method"]!;
        }
        string error;
        try
        {
            await hub.CallAsync(new KojiCall("getTaskResult", id), ct);
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
        var files = ((IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listTaskOutput", taskId), ct))!).Select(f => f?.ToString() ?? "").ToList();
        var log = new[] { "build.log", "root.log", "mock_output.log" }.FirstOrDefault(files.Contains)
            ?? files.FirstOrDefault(f => f.EndsWith(".log", StringComparison.Ordinal));
        var folder = $"{urls.FilesUrl}/{TaskWorkFolders}/{taskId % 10000}/{taskId}";
        return log is null ? folder + "/" : $"{folder}/{log}";
    }

    private async Task<string?> BuildLogUrlAsync(object? buildId, CancellationToken ct)
    {
        var logs = ((IEnumerable<object?>)(await hub.CallAsync(new KojiCall("getBuildLogs", buildId), ct))!)
            .Cast<IReadOnlyDictionary<string, object?>>().ToList();
        var log = logs.FirstOrDefault(l => (string?)l["name"] == "build.log" && (string?)l["dir"] != "src")
            ?? logs.FirstOrDefault(l => (string?)l["name"] == "build.log");
        return log is null ? null : $"{urls.FilesUrl}/{log["path"]}";
    }
}
