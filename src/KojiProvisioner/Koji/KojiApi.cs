using System.Globalization;

namespace KojiProvisioner.Koji;

/// <summary>A build host (listHosts, getHost).</summary>
public sealed record KojiHost(int Id, string Name, bool Enabled, bool Ready, double TaskLoad, double Capacity);

/// <summary>
/// A task (getTaskInfo, getTaskChildren, listTasks, and the task of repo.checkRequest).
/// <see cref="Request"/> is the task's decoded arguments when the call asked for them, else empty.
/// </summary>
public sealed record KojiTaskInfo(int Id, string Method, TaskState State, int? HostId, string? Arch, IReadOnlyList<object?> Request);

/// <summary>A build (listBuilds, getBuild, listTagged). <see cref="Source"/> is what it was built from, when recorded.</summary>
public sealed record KojiBuild(int Id, string Nvr, BuildState State, int? TaskId, string? Source);

/// <summary>One log file of a build (getBuildLogs): <see cref="Path"/> is relative to the hub's files URL.</summary>
public sealed record KojiBuildLog(string Name, string Dir, string Path);

/// <summary>A build target's tags (getBuildTarget).</summary>
public sealed record KojiBuildTarget(string Name, string BuildTag, string DestTag);

/// <summary>A user (getUser, getLoggedInUser); Koji's USER_STATUS 0 is NORMAL, 1 BLOCKED.</summary>
public sealed record KojiUser(int Id, string Name, bool Enabled);

/// <summary>A repo (its id and state), as repo.request and repo.checkRequest return it.</summary>
public sealed record KojiRepo(int Id, RepoState State);

/// <summary>
/// What repo.request and repo.checkRequest answer (kojihub/repos.py 1.35): a current repo, or the
/// request (its id, and whether it is still active) with its newRepo task once kojira made one.
/// </summary>
public sealed record RepoRequestStatus(KojiRepo? Repo, int? RequestId, bool Active, KojiTaskInfo? Task);

/// <summary>
/// The hub calls koji-farm makes outside content planning, one method each, with Koji 1.35's
/// signatures (kojihub/kojihub.py, kojihub/repos.py) and typed answers instead of XML-RPC structs.
/// </summary>
public static class KojiApi
{
    // ---- reads ----

    public static async Task<int> GetApiVersionAsync(this IKojiHub hub, CancellationToken ct) =>
        Int(await hub.CallAsync(new KojiCall("getAPIVersion"), ct));

    public static async Task<string?> GetKojiVersionAsync(this IKojiHub hub, CancellationToken ct) =>
        await hub.CallAsync(new KojiCall("getKojiVersion"), ct) as string;

    public static async Task<IReadOnlyList<KojiHost>> ListHostsAsync(this IKojiHub hub, CancellationToken ct) =>
        Structs(await hub.CallAsync(new KojiCall("listHosts"), ct)).Select(HostOf).ToList();

    public static async Task<KojiHost?> GetHostAsync(this IKojiHub hub, string name, CancellationToken ct) =>
        await hub.CallAsync(new KojiCall("getHost", name), ct) is IReadOnlyDictionary<string, object?> h ? HostOf(h) : null;

    /// <summary>When the host's kojid last contacted the hub (getLastHostUpdate(hostID, ts=True)); null if never.</summary>
    public static async Task<DateTimeOffset?> GetLastHostUpdateAsync(this IKojiHub hub, int hostId, CancellationToken ct) =>
        await hub.CallAsync(new KojiCall("getLastHostUpdate", hostId, new KojiKwargs { { "ts", true } }), ct) is { } ts
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(Convert.ToDouble(ts, CultureInfo.InvariantCulture) * 1000))
            : null;

    public static async Task<bool> TagExistsAsync(this IKojiHub hub, string tag, CancellationToken ct) =>
        await hub.CallAsync(new KojiCall("getTag", tag), ct) is not null;

    public static async Task<KojiUser?> GetUserAsync(this IKojiHub hub, string name, CancellationToken ct) =>
        User(await hub.CallAsync(new KojiCall("getUser", name), ct));

    /// <summary>Who this client is logged in as (null when anonymous).</summary>
    public static async Task<KojiUser?> GetLoggedInUserAsync(this IKojiHub hub, CancellationToken ct) =>
        User(await hub.CallAsync(new KojiCall("getLoggedInUser"), ct));

    public static async Task<IReadOnlyList<string>> GetUserPermsAsync(this IKojiHub hub, int userId, CancellationToken ct) =>
        List(await hub.CallAsync(new KojiCall("getUserPerms", userId), ct)).Select(p => Convert.ToString(p, CultureInfo.InvariantCulture) ?? "").ToList();

    public static async Task<KojiBuildTarget?> GetBuildTargetAsync(this IKojiHub hub, string target, CancellationToken ct) =>
        await hub.CallAsync(new KojiCall("getBuildTarget", target), ct) is IReadOnlyDictionary<string, object?> t
            ? new KojiBuildTarget((string)t["name"]!, (string)t["build_tag_name"]!, (string)t["dest_tag_name"]!)
            : null;

    /// <summary>The package's id (getPackage), null when the hub has no such package.</summary>
    public static async Task<int?> GetPackageIdAsync(this IKojiHub hub, string package, CancellationToken ct) =>
        await hub.CallAsync(new KojiCall("getPackage", package), ct) is IReadOnlyDictionary<string, object?> p ? Int(p["id"]) : null;

    /// <summary>listBuilds filtered by package, state and/or task (the filters left null are not sent).</summary>
    public static async Task<IReadOnlyList<KojiBuild>> ListBuildsAsync(this IKojiHub hub, int? packageId = null, BuildState? state = null,
        int? taskId = null, CancellationToken ct = default)
    {
        var kwargs = new KojiKwargs();
        if (packageId is { } p) kwargs.Add("packageID", p);
        if (state is { } s) kwargs.Add("state", (int)s);
        if (taskId is { } t) kwargs.Add("taskID", t);
        return Structs(await hub.CallAsync(new KojiCall("listBuilds", kwargs), ct)).Select(BuildOf).ToList();
    }

    public static async Task<KojiBuild?> GetBuildAsync(this IKojiHub hub, string nvr, CancellationToken ct) =>
        await hub.CallAsync(new KojiCall("getBuild", nvr), ct) is IReadOnlyDictionary<string, object?> b ? BuildOf(b) : null;

    public static async Task<KojiBuild?> GetBuildAsync(this IKojiHub hub, int buildId, CancellationToken ct) =>
        await hub.CallAsync(new KojiCall("getBuild", buildId), ct) is IReadOnlyDictionary<string, object?> b ? BuildOf(b) : null;

    public static async Task<IReadOnlyList<KojiBuildLog>> GetBuildLogsAsync(this IKojiHub hub, int buildId, CancellationToken ct) =>
        Structs(await hub.CallAsync(new KojiCall("getBuildLogs", buildId), ct))
            .Select(l => new KojiBuildLog((string?)l.GetValueOrDefault("name") ?? "", (string?)l.GetValueOrDefault("dir") ?? "", (string?)l.GetValueOrDefault("path") ?? ""))
            .ToList();

    /// <summary>The builds of a package tagged into a tag (listTagged(tag, package=...)).</summary>
    public static async Task<IReadOnlyList<KojiBuild>> ListTaggedAsync(this IKojiHub hub, string tag, string package, CancellationToken ct) =>
        Structs(await hub.CallAsync(new KojiCall("listTagged", tag, new KojiKwargs { { "package", package } }), ct)).Select(BuildOf).ToList();

    /// <summary>Whether the package is on the tag's package list (checkTagPackage).</summary>
    public static async Task<bool> CheckTagPackageAsync(this IKojiHub hub, string tag, string package, CancellationToken ct) =>
        Convert.ToBoolean(await hub.CallAsync(new KojiCall("checkTagPackage", tag, package), ct), CultureInfo.InvariantCulture);

    /// <param name="request">Also the task's arguments (<see cref="KojiTaskInfo.Request"/>), as getTaskInfo(request=True) gives them.</param>
    public static async Task<KojiTaskInfo> GetTaskInfoAsync(this IKojiHub hub, int taskId, CancellationToken ct, bool request = false) =>
        TaskOf(await hub.CallAsync(request ? new KojiCall("getTaskInfo", taskId, true) : new KojiCall("getTaskInfo", taskId), ct) as IReadOnlyDictionary<string, object?>
            ?? throw new XmlRpcFormatException($"the hub has no task {taskId}"));

    public static async Task<IReadOnlyList<KojiTaskInfo>> GetTaskChildrenAsync(this IKojiHub hub, int taskId, CancellationToken ct) =>
        Structs(await hub.CallAsync(new KojiCall("getTaskChildren", taskId), ct)).Select(TaskOf).ToList();

    /// <summary>Tasks in a state, with their arguments decoded (listTasks(opts={state: [...], decode: True})).</summary>
    public static async Task<IReadOnlyList<KojiTaskInfo>> ListTasksAsync(this IKojiHub hub, TaskState state, CancellationToken ct) =>
        Structs(await hub.CallAsync(new KojiCall("listTasks", new KojiKwargs
        {
            { "opts", new Dictionary<string, object?> { ["state"] = new List<object?> { (int)state }, ["decode"] = true } },
        }), ct)).Select(TaskOf).ToList();

    /// <summary>A task's result; for a failed task the hub answers with the task's fault, which this throws.</summary>
    public static Task<object?> GetTaskResultAsync(this IKojiHub hub, int taskId, CancellationToken ct) =>
        hub.CallAsync(new KojiCall("getTaskResult", taskId), ct);

    /// <summary>The file names a task left in its work folder.</summary>
    public static async Task<IReadOnlyList<string>> ListTaskOutputAsync(this IKojiHub hub, int taskId, CancellationToken ct) =>
        List(await hub.CallAsync(new KojiCall("listTaskOutput", taskId), ct)).Select(f => f?.ToString() ?? "").ToList();

    /// <summary>Where a repo request stands (repo.checkRequest): its repo once made, else its newRepo task if any.</summary>
    public static async Task<RepoRequestStatus> CheckRepoRequestAsync(this IKojiHub hub, int requestId, CancellationToken ct) =>
        RepoStatus(await hub.CallAsync(new KojiCall("repo.checkRequest", requestId), ct));

    // ---- writes ----

    /// <summary>
    /// repo.request(tag): a current repo when one is valid, else a (new or matching) request. With
    /// <paramref name="latest"/> the repo must reflect the tag's last change (min_event="last").
    /// </summary>
    public static async Task<RepoRequestStatus> RequestRepoAsync(this IKojiHub hub, string tag, bool latest, CancellationToken ct)
    {
        var kwargs = new KojiKwargs();
        if (latest)
            kwargs.Add("min_event", "last");
        return RepoStatus(await hub.CallAsync(new KojiCall("repo.request", tag, kwargs), ct));
    }

    /// <summary>Submits build(src, target, opts={}); returns the build task's id.</summary>
    public static async Task<int> SubmitBuildAsync(this IKojiHub hub, string source, string target, CancellationToken ct) =>
        Int(await hub.CallAsync(new KojiCall("build", source, target, new Dictionary<string, object?>()), ct));

    public static Task PackageListAddAsync(this IKojiHub hub, string tag, string package, string owner, CancellationToken ct) =>
        hub.CallAsync(new KojiCall("packageListAdd", tag, package, owner), ct);

    public static Task TagBuildBypassAsync(this IKojiHub hub, string tag, string nvr, CancellationToken ct) =>
        hub.CallAsync(new KojiCall("tagBuildBypass", tag, nvr), ct);

    /// <summary>createEmptyBuild(name, version, release, epoch=None): the build an imported RPM goes into.</summary>
    public static Task CreateEmptyBuildAsync(this IKojiHub hub, string name, string version, string release, CancellationToken ct) =>
        hub.CallAsync(new KojiCall("createEmptyBuild", name, version, release, null), ct);

    /// <summary>importRPM(path, basename): path is relative to the hub's work folder.</summary>
    public static Task ImportRpmAsync(this IKojiHub hub, string path, string basename, CancellationToken ct) =>
        hub.CallAsync(new KojiCall("importRPM", path, basename), ct);

    // ---- answers ----

    private static int Int(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

    private static int? IntOrNull(object? value) => value is null ? null : Int(value);

    private static IEnumerable<object?> List(object? value) => value as IEnumerable<object?> ?? [];

    private static IEnumerable<IReadOnlyDictionary<string, object?>> Structs(object? value) =>
        List(value).OfType<IReadOnlyDictionary<string, object?>>();

    private static KojiHost HostOf(IReadOnlyDictionary<string, object?> h) => new(
        Int(h["id"]), (string)h["name"]!, h.GetValueOrDefault("enabled") is true, h.GetValueOrDefault("ready") is true,
        Convert.ToDouble(h.GetValueOrDefault("task_load") ?? 0.0, CultureInfo.InvariantCulture),
        Convert.ToDouble(h.GetValueOrDefault("capacity") ?? 0.0, CultureInfo.InvariantCulture));

    private static KojiTaskInfo TaskOf(IReadOnlyDictionary<string, object?> t) => new(
        Int(t["id"]), (string?)t.GetValueOrDefault("method") ?? "", (TaskState)Int(t["state"]), IntOrNull(t.GetValueOrDefault("host_id")),
        t.GetValueOrDefault("arch") as string, t.GetValueOrDefault("request") as IReadOnlyList<object?> ?? []);

    // listBuilds names the id build_id; getBuild has both id and build_id.
    private static KojiBuild BuildOf(IReadOnlyDictionary<string, object?> b) => new(
        Int(b.GetValueOrDefault("build_id") ?? b["id"]), (string)b["nvr"]!, (BuildState)Int(b.GetValueOrDefault("state") ?? 0),
        IntOrNull(b.GetValueOrDefault("task_id")), b.GetValueOrDefault("source") as string);

    private static KojiUser? User(object? value) =>
        value is IReadOnlyDictionary<string, object?> u
            ? new KojiUser(Int(u["id"]), (string)u["name"]!, Int(u.GetValueOrDefault("status") ?? 0) == 0)
            : null;

    private static RepoRequestStatus RepoStatus(object? value)
    {
        var status = value as IReadOnlyDictionary<string, object?> ?? throw new XmlRpcFormatException($"a repo request answered {XmlRpc.Describe(value)}");
        var request = status.GetValueOrDefault("request") as IReadOnlyDictionary<string, object?>;
        return new RepoRequestStatus(
            status.GetValueOrDefault("repo") is IReadOnlyDictionary<string, object?> repo ? new KojiRepo(Int(repo["id"]), (RepoState)Int(repo["state"])) : null,
            request is null ? null : Int(request["id"]),
            request?.GetValueOrDefault("active") is not false,
            status.GetValueOrDefault("task") is IReadOnlyDictionary<string, object?> task ? TaskOf(task) : null);
    }
}
