using KojiProvisioner.Content;
using KojiProvisioner.Docker;
using KojiProvisioner.Koji;
using KojiProvisioner.Tests.Content;

namespace KojiProvisioner.Tests.Koji;

public sealed class RepoWaiterTests
{
    private static async Task<FakeKojiHub> HubWithTagAsync()
    {
        var hub = new FakeKojiHub();
        await hub.EnsureLoggedInAsync();
        await hub.CallAsync(new KojiCall("createTag", "line-build"));
        return hub;
    }

    private static RepoWaiter Waiter(FakeKojiHub hub, Func<RepoRequestStatus, CancellationToken, Task<string>>? describe = null) =>
        new(hub, describe) { PollInterval = TimeSpan.FromMilliseconds(1), DescribeInterval = TimeSpan.Zero };

    [Fact]
    public async Task A_current_repo_is_the_answer_without_waiting()
    {
        var hub = await HubWithTagAsync();
        hub.CurrentRepos["line-build"] = 7;

        var repo = await Waiter(hub).WaitAsync("line-build", fresh: false, TimeSpan.FromMinutes(1), null, CancellationToken.None);

        Assert.Equal(new ReadyRepo("line-build", 7, null, true, repo.Waited), repo);
        Assert.DoesNotContain(hub.Calls, c => c.Method == "repo.checkRequest");
    }

    [Fact]
    public async Task A_request_is_filed_and_watched_until_its_repo_is_ready_saying_what_it_waits_for()
    {
        var hub = await HubWithTagAsync();
        hub.ChecksWithoutTask = 1;
        hub.ChecksUntilReady = 3;
        var seen = new List<string>();

        var repo = await Waiter(hub).WaitAsync("line-build", fresh: true, TimeSpan.FromMinutes(1),
            new CallbackProgress<FarmEvent>(e => seen.Add(e.Message)), CancellationToken.None);

        Assert.False(repo.WasReady);
        Assert.NotNull(repo.RequestId);
        var request = hub.Calls.Single(c => c.Method == "repo.request");
        Assert.Equal("last", Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(request.Args[^1])["min_event"]);
        Assert.Equal(3, hub.Calls.Count(c => c.Method == "repo.checkRequest"));
        Assert.Equal(
        [
            $"repo request {repo.RequestId} filed; waiting up to 60 s for a READY repo",
            "has no task yet: kojira makes it",
            $"has newRepo task {repo.RequestId + 1} (FREE)",
        ], seen);
    }

    [Fact]
    public async Task Without_fresh_the_request_takes_the_tags_default_event()
    {
        var hub = await HubWithTagAsync();
        await Waiter(hub).WaitAsync("line-build", fresh: false, TimeSpan.FromMinutes(1), null, CancellationToken.None);
        var request = hub.Calls.Single(c => c.Method == "repo.request");
        Assert.DoesNotContain(request.Args, a => a is IReadOnlyDictionary<string, object?> kw && kw.ContainsKey("min_event"));
    }

    [Fact]
    public async Task A_timeout_names_the_request_and_what_it_waits_for_in_the_callers_words()
    {
        var hub = await HubWithTagAsync();
        hub.ChecksWithoutTask = 0;
        hub.ChecksUntilReady = null;

        var plain = await Assert.ThrowsAsync<FarmException>(() =>
            Waiter(hub).WaitAsync("line-build", fresh: true, TimeSpan.Zero, null, CancellationToken.None));
        Assert.Matches(@"^tag line-build has no READY repo after 0 s: repo request \d+ has newRepo task \d+ \(FREE\)$", plain.Message);

        var worded = await Assert.ThrowsAsync<FarmException>(() =>
            Waiter(hub, (s, _) => Task.FromResult($"has task {s.Task!.Id}: 0 of 1 builders ready")).WaitAsync("line-build", fresh: true, TimeSpan.Zero, null, CancellationToken.None));
        Assert.EndsWith(": 0 of 1 builders ready", worded.Message);
    }

    [Fact]
    public void State_names_are_kojis()
    {
        Assert.Equal("FREE", TaskState.Free.KojiName());
        Assert.Equal("CANCELED", TaskState.Canceled.KojiName());
        Assert.Equal("READY", RepoState.Ready.KojiName());
        Assert.Equal("state 9", ((TaskState)9).KojiName());
    }
}
