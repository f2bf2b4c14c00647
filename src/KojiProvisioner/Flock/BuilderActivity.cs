using System.Globalization;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Flock;

/// <summary>A task a builder runs now: its id, method and what it works on.</summary>
public sealed record RunningTask(int Id, string Method, string Arch, string What);

/// <summary>One builder as Koji sees it, with the tasks it runs now (for `status`).</summary>
public sealed record BuilderActivity(string Name, bool Enabled, bool Ready, double TaskLoad, double Capacity, IReadOnlyList<RunningTask> Tasks);

public static class BuilderActivityReader
{
    private const int TaskOpen = 1;

    /// <summary>Every host of the hub with its open tasks: two reads, whatever the number of builders.</summary>
    public static async Task<IReadOnlyList<BuilderActivity>> ReadAsync(IKojiHub hub, CancellationToken ct)
    {
        var hosts = ((IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listHosts"), ct))!).Cast<IReadOnlyDictionary<string, object?>>().ToList();
        var tasks = ((IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listTasks", new KojiKwargs
        {
            { "opts", new Dictionary<string, object?> { ["state"] = new List<object?> { TaskOpen }, ["decode"] = true } },
        }), ct))!).Cast<IReadOnlyDictionary<string, object?>>().ToList();
        return hosts.Select(h =>
        {
            var id = Convert.ToInt32(h["id"], CultureInfo.InvariantCulture);
            var running = tasks.Where(t => t["host_id"] is { } hid && Convert.ToInt32(hid, CultureInfo.InvariantCulture) == id)
                .Select(t => new RunningTask(Convert.ToInt32(t["id"], CultureInfo.InvariantCulture), (string)t["method"]!, (string?)t["arch"] ?? "", WhatOf(t)))
                .OrderBy(t => t.Id).ToList();
            return new BuilderActivity((string)h["name"]!, h["enabled"] is true, h["ready"] is true,
                Convert.ToDouble(h["task_load"], CultureInfo.InvariantCulture), Convert.ToDouble(h["capacity"], CultureInfo.InvariantCulture), running);
        }).ToList();
    }

    /// <summary>The package a task works on: the SRPM's or source URL's last part (its first argument).</summary>
    private static string WhatOf(IReadOnlyDictionary<string, object?> task)
    {
        if (task["request"] is not IEnumerable<object?> request || request.FirstOrDefault() is not string first)
            return "";
        var noRef = first.Split('#')[0].Split('?')[0].TrimEnd('/');
        return noRef[(noRef.LastIndexOf('/') + 1)..];
    }
}
