using System.Diagnostics;

namespace KojiProvisioner.Koji;

/// <summary>The READY repo a wait ended with; <see cref="RequestId"/> is null when the current repo already was.</summary>
public sealed record ReadyRepo(string Tag, int RepoId, int? RequestId, bool WasReady, TimeSpan Waited);

/// <summary>
/// Waits for a tag's repo to be READY (Koji 1.35's repo queue): the current one when it is valid,
/// else the one kojira and a builder make for a repo request. One light call per look
/// (repo.checkRequest); what the request waits for is put in words by <c>describe</c> (it may cost
/// several calls), only every <see cref="DescribeInterval"/> and at the timeout, whose message says it.
/// Used by `wait-repo`, by `flock build` before each layer, and by the tests.
/// </summary>
public sealed class RepoWaiter(IKojiHub hub, Func<RepoRequestStatus, CancellationToken, Task<string>>? describe = null)
{
    /// <summary>Between two looks at the request: a repo is often READY well inside a second of the last look.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(0.25);

    public TimeSpan DescribeInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Returns once <paramref name="tag"/> has a READY repo. With <paramref name="fresh"/> the repo
    /// must reflect the tag's latest change (what `regen-repo` asks). Progress events are
    /// <see cref="FarmStep.WaitHealthy"/> for the tag: the request filed, then each change of what it waits for.
    /// </summary>
    public async Task<ReadyRepo> WaitAsync(string tag, bool fresh, TimeSpan timeout, IProgress<FarmEvent>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await hub.EnsureLoggedInAsync(ct);
        var answer = await hub.RequestRepoAsync(tag, fresh, ct);
        if (answer.Repo is { } current)
            return new ReadyRepo(tag, current.Id, null, true, clock.Elapsed);
        var request = answer.RequestId ?? throw new XmlRpcFormatException($"repo.request({tag}) answered neither a repo nor a request");
        progress?.Report(new FarmEvent(FarmStep.WaitHealthy, tag, $"repo request {request} filed; waiting up to {timeout.TotalSeconds:0} s for a READY repo", clock.Elapsed));

        string? lastSeen = null, seen = null;
        var described = Stopwatch.StartNew();
        while (true)
        {
            var status = await hub.CheckRepoRequestAsync(request, ct);
            if (status.Repo is { } repo)
            {
                if (repo.State == RepoState.Ready)
                    return new ReadyRepo(tag, repo.Id, request, false, clock.Elapsed);
            }
            else if (!status.Active)
                throw new FarmException($"repo request {request} for tag {tag} ended without a repo{TaskText(status.Task)}");

            // What it waits for, in words (more calls): for the progress line every few polls, and for the timeout.
            var timedOut = clock.Elapsed >= timeout;
            if (seen is null || timedOut || described.Elapsed >= DescribeInterval)
            {
                seen = await (describe ?? DescribeFromStatus)(status, ct);
                described.Restart();
            }
            if (timedOut)
                throw new FarmException($"tag {tag} has no READY repo after {timeout.TotalSeconds:0} s: repo request {request} {seen}");
            if (seen != lastSeen)
            {
                progress?.Report(new FarmEvent(FarmStep.WaitHealthy, tag, seen, clock.Elapsed));
                lastSeen = seen;
            }
            await Task.Delay(PollInterval, ct);
        }
    }

    private static string TaskText(KojiTaskInfo? task) => task is null ? "" : $" (task {task.Id} {task.State.KojiName()})";

    /// <summary>What the request itself says: its newRepo task and the task's state, or that kojira has made none yet.</summary>
    public static Task<string> DescribeFromStatus(RepoRequestStatus status, CancellationToken ct) =>
        Task.FromResult(status.Task is { } task
            ? $"has newRepo task {task.Id} ({task.State.KojiName()})"
            : "has no task yet: kojira makes it");
}
