using KojiProvisioner.Koji;

namespace KojiProvisioner.IntegrationTests.Support;

/// <summary>Waits on a real hub, each named after what it waits for.</summary>
public static class KojiWait
{
    public static Task UntilAsync(TimeSpan timeout, Func<Task<bool>> condition, string what) =>
        Eventually.UntilAsync(condition, timeout, what, poll: TimeSpan.FromSeconds(1));

    public static async Task<Dictionary<string, IReadOnlyDictionary<string, object?>>> HostsAsync(IKojiHub hub) =>
        ((IEnumerable<object?>)(await hub.CallAsync("listHosts"))!)
            .Cast<IReadOnlyDictionary<string, object?>>()
            .ToDictionary(h => (string)h["name"]!, h => h);

    /// <summary>Requests a repo for the tag (Koji 1.35 repo requests) and returns its id once READY: what `flock build` waits for.</summary>
    public static async Task<int> RepoReadyAsync(IKojiHub hub, string tag, TimeSpan timeout) =>
        (await new RepoWaiter(hub) { PollInterval = TimeSpan.FromSeconds(1) }.WaitAsync(tag, fresh: true, timeout, null, CancellationToken.None)).RepoId;

    public sealed record TaskRow(int Id, string Method, string Host);

    /// <summary>Closed tasks of a method, with the name of the host that ran each.</summary>
    public static async Task<IReadOnlyList<TaskRow>> ClosedTasksAsync(IKojiHub hub, string method)
    {
        var hosts = (await HostsAsync(hub)).Values.ToDictionary(h => Convert.ToInt32(h["id"]), h => (string)h["name"]!);
        var tasks = (IEnumerable<object?>)(await hub.CallAsync("listTasks", new KojiKwargs
        {
            { "opts", new Dictionary<string, object?> { ["method"] = method, ["state"] = new List<object?> { (int)TaskState.Closed } } },
        }))!;
        return tasks.Cast<IReadOnlyDictionary<string, object?>>()
            .Select(t => new TaskRow(Convert.ToInt32(t["id"]), method,
                t["host_id"] is { } id && hosts.TryGetValue(Convert.ToInt32(id), out var name) ? name : ""))
            .ToList();
    }
}
