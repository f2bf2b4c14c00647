using KojiProvisioner.Koji;

namespace KojiProvisioner.Flock;

/// <summary>A task a builder runs now: its id, method and what it works on.</summary>
public sealed record RunningTask(int Id, string Method, string Arch, string What);

/// <summary>One builder as Koji sees it, with the tasks it runs now (for `status`).</summary>
public sealed record BuilderActivity(string Name, bool Enabled, bool Ready, double TaskLoad, double Capacity, IReadOnlyList<RunningTask> Tasks);

public static class BuilderActivityReader
{
    /// <summary>Every host of the hub with its open tasks: two reads, whatever the number of builders.</summary>
    public static async Task<IReadOnlyList<BuilderActivity>> ReadAsync(IKojiHub hub, CancellationToken ct)
    {
        var hosts = await hub.ListHostsAsync(ct);
        var tasks = await hub.ListTasksAsync(TaskState.Open, ct);
        return hosts.Select(h =>
        {
            var running = tasks.Where(t => t.HostId == h.Id)
                .Select(t => new RunningTask(t.Id, t.Method, t.Arch ?? "", WhatOf(t)))
                .OrderBy(t => t.Id).ToList();
            return new BuilderActivity(h.Name, h.Enabled, h.Ready, h.TaskLoad, h.Capacity, running);
        }).ToList();
    }

    /// <summary>The package a task works on: the SRPM's or source URL's last part (its first argument).</summary>
    private static string WhatOf(KojiTaskInfo task)
    {
        if (task.Request.FirstOrDefault() is not string first)
            return "";
        var noRef = first.Split('#')[0].Split('?')[0].TrimEnd('/');
        return noRef[(noRef.LastIndexOf('/') + 1)..];
    }
}
