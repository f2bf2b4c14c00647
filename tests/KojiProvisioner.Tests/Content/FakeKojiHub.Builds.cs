using KojiProvisioner.Koji;

namespace KojiProvisioner.Tests.Content;

/// <summary>
/// The fake hub's builds, targets by name and repo requests, for the calls `flock build` and
/// `wait-repo` make (kojihub.py and repos.py 1.35: field names as the hub sends them).
/// Repo requests are scripted: the tag's current repo (<see cref="CurrentRepos"/>) answers a
/// request at once; otherwise a request is filed, which has no task for the first
/// <see cref="ChecksWithoutTask"/> looks, then a FREE newRepo task until <see cref="ChecksUntilReady"/>
/// looks, then its repo is READY (never, with <see cref="ChecksUntilReady"/> null).
/// </summary>
internal sealed partial class FakeKojiHub
{
    private sealed record FakeBuild(int Id, string Package, string Nvr, int State, int? TaskId, string? Source);

    private readonly List<FakeBuild> _builds = [];
    private readonly Dictionary<string, int> _packageIds = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (string Tag, int Checks, int TaskId)> _repoRequests = [];
    private readonly List<(string Tag, int Build)> _tagged = [];

    /// <summary>Tags with a current READY repo valid for any request (the repo id).</summary>
    public Dictionary<string, int> CurrentRepos { get; } = new(StringComparer.Ordinal);
    public int ChecksWithoutTask { get; set; } = 1;
    public int? ChecksUntilReady { get; set; } = 3;

    /// <summary>A build as kojid leaves it: the package, its NVR, its state and the source recorded.</summary>
    public int AddBuild(string package, string nvr, string source, BuildState state = BuildState.Complete, int? taskId = null)
    {
        var id = NextId();
        _builds.Add(new FakeBuild(id, package, nvr, (int)state, taskId, source));
        PackageId(package);
        return id;
    }

    /// <summary>Tags a build (by id) into a tag, as tagBuildBypass leaves it.</summary>
    public void TagBuild(string tag, int buildId) => _tagged.Add((tag, buildId));

    private int PackageId(string package)
    {
        if (!_packageIds.TryGetValue(package, out var id))
            _packageIds[package] = id = NextId();
        return id;
    }

    private object? DispatchBuildsAndRepos(string method, IReadOnlyList<object?> args) => method switch
    {
        "getBuildTarget" => Bind(args, "info", "event", "strict").GetValueOrDefault("info") is string name && _targets.TryGetValue(name, out var t) ? TargetInfo(name, t) : null,
        "getPackage" => GetPackage(Bind(args, "info", "strict", "create").GetValueOrDefault("info") as string),
        "listBuilds" => ListBuilds(Bind(args, "packageID", "userID", "taskID", "prefix", "state")),
        "getBuild" => Bind(args, "buildInfo", "strict").GetValueOrDefault("buildInfo") switch
        {
            string nvr => _builds.FirstOrDefault(b => b.Nvr == nvr) is { } b ? BuildInfo(b) : null,
            var id => _builds.FirstOrDefault(b => b.Id == Convert.ToInt32(id)) is { } b ? BuildInfo(b) : null,
        },
        "listTagged" => ListTagged(Bind(args, "tag", "event", "inherit", "prefix", "latest")),
        "getBuildLogs" => _builds.Single(b => b.Id == Convert.ToInt32(Bind(args, "build").GetValueOrDefault("build"))) is var built
            ? new List<object?> { Row(("name", "build.log"), ("dir", "noarch"), ("path", $"packages/{built.Package}/{built.Nvr}/data/logs/noarch/build.log")) }
            : null,
        "build" => SubmitBuild((string)args[0]!),
        "getTaskInfo" => PollBuildTask(Convert.ToInt32(args[0])),
        "getTaskChildren" => new List<object?>(),
        "repo.request" => RequestRepo(Bind(args, "tag", "min_event", "at_event", "opts", "priority", "force")),
        "repo.checkRequest" => CheckRepoRequest(Convert.ToInt32(Bind(args, "req_id").GetValueOrDefault("req_id"))),
        _ => throw Fault(1000, $"Invalid method: {method}"),
    };

    private readonly Dictionary<int, (string Source, int Polls)> _buildTasks = [];

    /// <summary>A submitted build's task is OPEN for this many getTaskInfo looks, then CLOSED with its build COMPLETE.</summary>
    public int PollsUntilBuilt { get; set; } = 3;
    /// <summary>The most build tasks open at one time.</summary>
    public int MostOpenBuilds { get; private set; }
    private int OpenBuilds => _buildTasks.Values.Count(t => t.Polls < PollsUntilBuilt);

    private int SubmitBuild(string source)
    {
        var id = NextId();
        _buildTasks[id] = (source, 0);
        MostOpenBuilds = Math.Max(MostOpenBuilds, OpenBuilds);
        return id;
    }

    private Dictionary<string, object?> PollBuildTask(int id)
    {
        var (source, polls) = _buildTasks[id];
        if (polls < PollsUntilBuilt && ++polls == PollsUntilBuilt)
        {
            var package = source.Split('#')[0].Split('?')[0].TrimEnd('/').Split('/')[^1];
            AddBuild(package, $"{package}-1.0-1", source, taskId: id);
        }
        _buildTasks[id] = (source, polls);
        return Row(("id", id), ("method", "build"), ("state", (int)(polls < PollsUntilBuilt ? TaskState.Open : TaskState.Closed)),
            ("host_id", null), ("arch", "noarch"));
    }

    private object? GetPackage(string? name) =>
        name is not null && (_packageIds.ContainsKey(name) || _tags.Values.Any(t => t.Packages.ContainsKey(name)))
            ? Row(("id", PackageId(name)), ("name", name))
            : null;

    private List<object?> ListBuilds(Dictionary<string, object?> a) =>
        _builds.Where(b => a.GetValueOrDefault("packageID") is not { } p || _packageIds.GetValueOrDefault(b.Package) == Convert.ToInt32(p))
            .Where(b => a.GetValueOrDefault("state") is not { } s || b.State == Convert.ToInt32(s))
            .Where(b => a.GetValueOrDefault("taskID") is not { } t || b.TaskId == Convert.ToInt32(t))
            .Select(b => (object?)BuildInfo(b)).ToList();

    private Dictionary<string, object?> BuildInfo(FakeBuild b) => Row(("build_id", b.Id), ("id", b.Id), ("nvr", b.Nvr), ("name", b.Package),
        ("version", b.Nvr[(b.Package.Length + 1)..b.Nvr.LastIndexOf('-')]), ("release", b.Nvr[(b.Nvr.LastIndexOf('-') + 1)..]),
        ("package_id", PackageId(b.Package)), ("state", b.State), ("task_id", b.TaskId), ("source", b.Source));

    /// <summary>The tag's own builds, newest first; with latest, one per package. Inheritance is not followed.</summary>
    private List<object?> ListTagged(Dictionary<string, object?> a)
    {
        var tag = (string)a["tag"]!;
        if (!_tags.ContainsKey(tag))
            throw Generic($"No such tagInfo: '{tag}'");
        var builds = _tagged.Where(t => t.Tag == tag).Select(t => _builds.Single(b => b.Id == t.Build)).OrderByDescending(b => b.Id);
        if (a.GetValueOrDefault("latest") is true)
            builds = builds.GroupBy(b => b.Package).Select(g => g.First()).OrderByDescending(b => b.Id);
        return builds.Select(b => (object?)BuildInfo(b)).ToList();
    }

    private object? RequestRepo(Dictionary<string, object?> a)
    {
        var tag = (string)a["tag"]!;
        if (!_tags.ContainsKey(tag))
            throw Generic($"No such tagInfo: '{tag}'");
        if (CurrentRepos.TryGetValue(tag, out var repo))
            return Row(("repo", RepoInfo(repo)), ("request", null), ("duplicate", false));
        var id = NextId();
        _repoRequests[id] = (tag, 0, NextId());
        return Row(("repo", null), ("request", RequestInfo(id, active: true)), ("duplicate", false));
    }

    private object? CheckRepoRequest(int id)
    {
        if (!_repoRequests.TryGetValue(id, out var r))
            throw Generic("No such request");
        var checks = r.Checks + 1;
        _repoRequests[id] = r with { Checks = checks };
        if (checks >= ChecksUntilReady)
            return Row(("repo", RepoInfo(r.TaskId + 1000)), ("request", RequestInfo(id, active: false)));
        if (checks <= ChecksWithoutTask)
            return Row(("repo", null), ("request", RequestInfo(id, active: true)));
        return Row(("repo", null), ("request", RequestInfo(id, active: true)),
            ("task", Row(("id", r.TaskId), ("method", "newRepo"), ("state", (int)TaskState.Free), ("host_id", null), ("arch", "noarch"))));
    }

    private static Dictionary<string, object?> RepoInfo(int id) => Row(("id", id), ("state", (int)RepoState.Ready));

    private static Dictionary<string, object?> RequestInfo(int id, bool active) => Row(("id", id), ("active", active));
}
