using System.Diagnostics;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using Xunit.Abstractions;
using static KojiProvisioner.IntegrationTests.Support.UserLogins;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// People and robots on a real hub and kojiweb: `user add` gives a working folder, permissions and
/// the stack's hub policy decide what each may do, `user revoke` locks one out within seconds at
/// the hub and the web, and the lock-out survives down + up and backup → down --purge → restore.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class UsersOnRealHubTests(ITestOutputHelper output)
{
    // Only releng tags into *-release (a nested block); `build` holders tag into *-candidate.
    private const string Policy = """
          policy:
            tag:
              - "has_perm admin :: allow"
              - "tag *-release :: {"
              - "  user releng :: allow"
              - "  all :: deny only releng tags into release tags"
              - "}"
              - "has_perm build && tag *-candidate :: allow"
              - "all :: deny"

        """;

    [SkippableFact]
    public async Task Users_get_folders_permissions_and_policy_and_a_revoked_one_is_refused_by_hub_and_web()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var stack = new TestStack("users", builders: 0);
        File.WriteAllText(stack.File, File.ReadAllText(stack.File).Replace("  runInterval: 5\n", "  runInterval: 5\n" + Policy, StringComparison.Ordinal));
        var up = await steps.Run("up with a tag policy", () => stack.RunAsync("up"));
        Assert.True(up.ExitCode == 0, up.ToString());

        string Folder(string name) => Path.Combine(stack.Directory, name + "-koji");
        foreach (var (name, args) in new[] { ("alice", new[] { "--permission", "build" }), ("bob", []), ("releng", ["--permission", "tag"]) })
        {
            var add = await steps.Run($"user add {name}", () => stack.RunAsync(["user", "add", name, "--out", Folder(name), .. args]));
            Assert.True(add.ExitCode == 0, add.ToString());
            Assert.Contains("PKCS#12 password", add.Out);
        }
        var eve = await steps.Run("user add eve --days 5 (a certificate about to expire)", () => stack.RunAsync("user", "add", "eve", "--days", "5", "--out", Folder("eve")));
        Assert.True(eve.ExitCode == 0, eve.ToString());
        await steps.Run("status warns of eve's certificate (within 30 days), not of bob's", async () =>
        {
            var json = await stack.RunAsync("status", "--output", "json");
            Assert.True(json.ExitCode == 0, json.ToString());
            var expiring = System.Text.Json.JsonDocument.Parse(json.Out).RootElement.GetProperty("expiring").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Contains(expiring, e => e.Contains("eve", StringComparison.Ordinal) && e.Contains("expires", StringComparison.Ordinal));
            Assert.DoesNotContain(expiring, e => e.Contains("bob", StringComparison.Ordinal));
            var text = await stack.RunAsync("status");
            Assert.Contains("eve", text.Out + text.Error);
        });
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Folder("alice")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Folder("alice"), "alice.pem")));

        await steps.Run("alice's folder profile: `koji -p STACK moshimoshi` names her", async () =>
        {
            var run = await KojiCli.RunAsync(stack.Definition(), Folder("alice"), null, "--config", Path.Combine(Folder("alice"), "koji.conf"), "-p", stack.Name, "moshimoshi");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("alice", run.Stdout);
        });

        using var admin = stack.AdminClient();
        await admin.EnsureLoggedInAsync();
        var release = $"{stack.Name}-release";
        var candidate = $"{stack.Name}-candidate";
        await steps.Run("the admin makes a release and a candidate tag and a build to tag", async () =>
        {
            foreach (var tag in new[] { release, candidate })
            {
                await admin.CallAsync("createTag", tag);
                await admin.CallAsync("packageListAdd", tag, "probe", "kojiadmin");
            }
            await admin.CallAsync("createEmptyBuild", "probe", "1", "1", null);
        });

        await steps.Run("alice (build) tags into a candidate tag; bob may not", async () =>
        {
            using var alice = await LoggedInAsync(stack, "alice");
            Assert.NotNull(await alice.CallAsync(new KojiCall("tagBuild", candidate, "probe-1-1")));
            using var bob = await LoggedInAsync(stack, "bob");
            var refused = await Assert.ThrowsAsync<KojiFaultException>(() => bob.CallAsync(new KojiCall("tagBuild", candidate, "probe-1-1")));
            Assert.Equal("koji.ActionNotAllowed", refused.ErrorClass);
        });

        await steps.Run("bob is refused an admin call with ActionNotAllowed", async () =>
        {
            using var bob = await LoggedInAsync(stack, "bob");
            var refused = await Assert.ThrowsAsync<KojiFaultException>(() => bob.CallAsync(new KojiCall("createTag", $"{stack.Name}-bobs")));
            Assert.Equal("koji.ActionNotAllowed", refused.ErrorClass);
        });

        await steps.Run("the stack's policy: bob cannot tag into *-release, releng can", async () =>
        {
            using var bob = await LoggedInAsync(stack, "bob");
            var refused = await Assert.ThrowsAsync<KojiFaultException>(() => bob.CallAsync(new KojiCall("tagBuild", release, "probe-1-1")));
            Assert.Equal("koji.ActionNotAllowed", refused.ErrorClass);
            Assert.Contains("only releng tags into release tags", refused.Message);
            using var releng = await LoggedInAsync(stack, "releng");
            Assert.NotNull(await releng.CallAsync(new KojiCall("tagBuild", release, "probe-1-1")));
        });

        await steps.Run("kojiweb logs alice in with her certificate", async () =>
            Assert.True(await WebLoginAsync(stack, "alice"), "kojiweb did not log alice in"));

        var revoke = await steps.Run("user revoke alice", () => stack.RunAsync("user", "revoke", "alice"));
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        await steps.Run("within 10 s the hub and the web refuse alice; bob still works", async () =>
        {
            var clock = Stopwatch.StartNew();
            while (await HubLoginAsync(stack, "alice") || await WebLoginAsync(stack, "alice"))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "alice was still let in 10 s after `user revoke`");
                await Task.Delay(500);
            }
            Assert.True(await HubLoginAsync(stack, "bob"), "bob was refused after alice's revocation");
            Assert.True(await WebLoginAsync(stack, "bob"), "kojiweb refused bob after alice's revocation");
        });

        // What must hold after the revocation and after everything that rebuilds the farm.
        async Task AliceRevokedInUserLs(string when)
        {
            var ls = await steps.Run($"user ls {when} shows alice revoked and blocked", () => stack.RunAsync("user", "ls", "--output", "json"));
            Assert.True(ls.ExitCode == 0, ls.ToString());
            var alice = System.Text.Json.JsonDocument.Parse(ls.Out).RootElement.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("name").GetString() == "alice");
            Assert.True(alice.GetProperty("revoked").GetBoolean());
            Assert.Equal("blocked", alice.GetProperty("koji").GetString());
        }
        Task AliceRefusedBobNot(string when) => steps.Run($"{when} alice is still refused at the hub and the web, bob is not", async () =>
        {
            Assert.False(await HubLoginAsync(stack, "alice"), $"the hub let alice in {when}");
            Assert.False(await WebLoginAsync(stack, "alice"), $"kojiweb let alice in {when}");
            Assert.True(await HubLoginAsync(stack, "bob"), $"bob was refused {when}");
            Assert.True(await WebLoginAsync(stack, "bob"), $"kojiweb refused bob {when}");
        });

        await AliceRevokedInUserLs("after the revocation");

        var down = await steps.Run("down", () => stack.RunAsync("down"));
        Assert.True(down.ExitCode == 0, down.ToString());
        var upAgain = await steps.Run("up again", () => stack.RunAsync("up"));
        Assert.True(upAgain.ExitCode == 0, upAgain.ToString());
        await AliceRefusedBobNot("after down + up");

        // The CRL, the user registry and the Koji user's blocked status all live in what a backup
        // carries (state folder, database): a farm rebuilt from it must not let alice back in.
        var backupDir = Path.Combine(stack.Directory, "backup");
        var backup = await steps.Run("backup", () => stack.RunAsync("backup", "--out", backupDir));
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var purge = await steps.Run("down --purge: the state folder (CA, CRL, users) and the database go", () => stack.RunAsync("down", "--purge", "--yes"));
        Assert.True(purge.ExitCode == 0, purge.ToString());
        var restore = await steps.Run("restore", () => stack.RunAsync("restore", "--from", backupDir));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        await AliceRefusedBobNot("after backup → purge → restore");
        await AliceRevokedInUserLs("after restore");
    }
}
