using System.Text.Json;
using KojiProvisioner.Farm;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// Packages out: two RPMs (one requiring the other) imported into Koji are signed with the company
/// key, published with dist-repo, and a clean Debian container with rpm and dnf, on this machine's
/// loopback only, fetches the key from the published URL, verifies both packages and installs them
/// with signature checking on; a package changed after signing is refused.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class SigningTests(ITestOutputHelper output)
{
    private const string Tag = "pub-stable", Empty = "pub-empty", Lib = "pub-lib", App = "pub-app", Late = "pub-late";

    [SkippableFact]
    public async Task Sign_and_dist_repo_give_hosts_a_repository_they_verify_and_install_from()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var stack = new TestStack("sign", builders: 1);
        var up = await steps.Run("up", () => stack.RunAsync("up"));
        Assert.True(up.ExitCode == 0, up.ToString());
        var definition = stack.Definition();
        var hubContainer = definition.Names.Container(Roles.Hub);
        using var hub = stack.AdminClient();
        await hub.LoginAsync();
        await hub.CallAsync("createTag", Tag, new KojiKwargs { { "arches", "x86_64" } });
        await hub.CallAsync("createTag", Empty, new KojiKwargs { { "arches", "x86_64" } });
        foreach (var p in new[] { Lib, App, Late })
            await hub.CallAsync("packageListAdd", Tag, p, "kojiadmin");

        var key = await steps.Run("sign --new-key: an RSA 4096 key in the state folder (0600), published under /kojifiles/keys", () => stack.RunAsync("sign", "--new-key", "--output", "json"));
        Assert.True(key.ExitCode == 0, key.ToString());
        var keyJson = JsonDocument.Parse(key.Out).RootElement.GetProperty("key");
        var sigkey = keyJson.GetProperty("sigkey").GetString()!;
        var keyUrl = keyJson.GetProperty("publicKeyUrl").GetString()!;
        var stateDir = stack.Load().StateDirectory;
        var secret = Directory.GetFiles(Path.Combine(stateDir, "secrets", "signing"), "*.key").Single();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        foreach (var container in new[] { hubContainer, definition.Names.Builder(1) })
        {
            var leak = await Shell.RunAsync("docker", "exec", container, "sh", "-c", "grep -rl 'PRIVATE KEY BLOCK' /mnt/koji /etc /root 2>/dev/null || true");
            Assert.Equal("", leak.Stdout.Trim());
        }

        var rpmDir = Directory.CreateDirectory(Path.Combine(stack.Directory, "rpms")).FullName;
        var signer = ImageRecipes.Signer(Assets.Images).Reference;
        await steps.Run("two tiny RPMs built with Debian's rpmbuild and imported into Koji, tagged", async () =>
        {
            await BuildRpm(signer, rpmDir, Lib, "");
            await BuildRpm(signer, rpmDir, App, $"Requires: {Lib}");
            await BuildRpm(signer, rpmDir, Late, "");
            await Import(hub, hubContainer, rpmDir, Lib, Tag);
            await Import(hub, hubContainer, rpmDir, App, Tag);
        });

        var bad = await stack.RunAsync("sign", "--tag", "no-such-tag");
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("no-such-tag", bad.Error);
        bad = await stack.RunAsync("sign", "--build", "no-such-build-1-1");
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("no-such-build-1-1", bad.Error);
        bad = await stack.RunAsync("sign", "--tag", Empty);
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains(Empty, bad.Error);
        bad = await stack.RunAsync("dist-repo", "no-such-tag", "--wait");
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("no-such-tag", bad.Error);
        bad = await stack.RunAsync("dist-repo", Empty, "--wait");
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains(Empty, bad.Error);

        var sign = await steps.Run("sign --tag: both builds signed and imported", () => stack.RunAsync("sign", "--tag", Tag));
        Assert.True(sign.ExitCode == 0, sign.ToString());
        Assert.Contains($"{Lib}-1.0-1: signed 1 of 1 RPM(s) with key {sigkey}", sign.Out);
        Assert.Contains($"{App}-1.0-1: signed 1 of 1 RPM(s)", sign.Out);
        var rpmId = ((IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getRPM", $"{Lib}-1.0-1.noarch"))!)["id"];
        var sigs = ((IEnumerable<object?>)(await hub.CallAsync("queryRPMSigs", new KojiKwargs { { "rpm_id", rpmId } }))!).Cast<IReadOnlyDictionary<string, object?>>();
        // importRPM records the unsigned header under sigkey ""; sign added the company's.
        Assert.Contains(sigkey, sigs.Select(s => (string?)s["sigkey"]));

        var again = await steps.Run("sign again: nothing to sign", () => stack.RunAsync("sign", "--tag", Tag, "--output", "json"));
        Assert.True(again.ExitCode == 0, again.ToString());
        var againJson = JsonDocument.Parse(again.Out).RootElement;
        Assert.Equal(0, againJson.GetProperty("signed").GetInt32());
        Assert.All(againJson.GetProperty("builds").EnumerateArray(), b => Assert.Equal(1, b.GetProperty("alreadySigned").GetInt32()));

        var dist = await steps.Run("dist-repo --wait: Koji's distRepo with the company key", () => stack.RunAsync("dist-repo", Tag, "--wait", "--output", "json"));
        Assert.True(dist.ExitCode == 0, dist.ToString());
        var distJson = JsonDocument.Parse(dist.Out).RootElement;
        var repoFile = distJson.GetProperty("repoFile").GetString()!;
        Assert.Contains("gpgcheck=1", repoFile);
        Assert.Contains($"gpgkey=", repoFile);

        var client = await steps.Run("a clean Debian container with rpm and dnf", () => RpmHost.ImageAsync(stack.Directory));
        var host = await steps.Run("the host fetches the key, reads the repo, downloads and verifies both, installs them with gpgcheck on",
            () => RpmHost.InstallAsync(client, rpmDir, repoFile, Path.Combine(stateDir, "pki", "ca.crt"), keyUrl, [Lib, App], tampered: Lib,
                after: $"cat /ir/usr/share/{App}/data"));
        output.WriteLine(host);
        Assert.Contains("digests signatures OK", host);
        Assert.Contains($"{App}-1.0-1.noarch", host);
        Assert.Contains($"{Lib}-1.0-1.noarch", host);
        Assert.Contains($"data of {App}", host);
        Assert.Contains("TAMPERED-REFUSED", host);

        await Import(hub, hubContainer, rpmDir, Late, Tag);
        var unsigned = await steps.Run("dist-repo of a tag holding an unsigned build names it", () => stack.RunAsync("dist-repo", Tag, "--wait"));
        Assert.True(unsigned.ExitCode == 1, unsigned.ToString());
        Assert.Contains($"{Late}-1.0-1", unsigned.Error);

        var rotate = await steps.Run("sign --new-key: a new key signs from now on", () => stack.RunAsync("sign", "--new-key", "--output", "json"));
        Assert.True(rotate.ExitCode == 0, rotate.ToString());
        var newSigkey = JsonDocument.Parse(rotate.Out).RootElement.GetProperty("key").GetProperty("sigkey").GetString()!;
        Assert.NotEqual(sigkey, newSigkey);
        var late = await steps.Run("sign --tag after the rotation: only the unsigned build, with the new key", () => stack.RunAsync("sign", "--tag", Tag, "--output", "json"));
        Assert.True(late.ExitCode == 0, late.ToString());
        var lateJson = JsonDocument.Parse(late.Out).RootElement;
        Assert.Equal(1, lateJson.GetProperty("signed").GetInt32());
        Assert.Equal(newSigkey, lateJson.GetProperty("key").GetProperty("sigkey").GetString());

        var status = await stack.RunAsync("status", "--output", "json");
        var listed = JsonDocument.Parse(status.Out).RootElement.GetProperty("signing").GetProperty("keys").EnumerateArray()
            .Select(k => (k.GetProperty("sigkey").GetString(), k.GetProperty("current").GetBoolean())).ToList();
        Assert.Equal([(newSigkey, true), (sigkey, false)], listed);

        var both = await steps.Run("dist-repo after the rotation: old and new signatures both accepted", () => stack.RunAsync("dist-repo", Tag, "--wait", "--output", "json"));
        Assert.True(both.ExitCode == 0, both.ToString());
        var bothJson = JsonDocument.Parse(both.Out).RootElement;
        Assert.Equal([newSigkey, sigkey], bothJson.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        Assert.Contains($"-{sigkey}.asc", bothJson.GetProperty("repoFile").GetString());
        Assert.Contains($"-{newSigkey}.asc", bothJson.GetProperty("repoFile").GetString());

        var backupDir = Path.Combine(stack.Directory, "backup");
        var backup = await steps.Run("backup", () => stack.RunAsync("backup", "--out", backupDir));
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var purge = await steps.Run("down --purge: the keys go with the state folder", () => stack.RunAsync("down", "--purge", "--yes"));
        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.False(Directory.Exists(Path.Combine(stateDir, "secrets", "signing")));
        var restore = await steps.Run("restore", () => stack.RunAsync("restore", "--from", backupDir));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var restored = await steps.Run("sign after restore: the keys are back and every signature is recognised", () => stack.RunAsync("sign", "--tag", Tag, "--output", "json"));
        Assert.True(restored.ExitCode == 0, restored.ToString());
        var restoredJson = JsonDocument.Parse(restored.Out).RootElement;
        Assert.Equal(0, restoredJson.GetProperty("signed").GetInt32());
        Assert.Equal(newSigkey, restoredJson.GetProperty("key").GetProperty("sigkey").GetString());
        Assert.Equal(2, Directory.GetFiles(Path.Combine(stateDir, "secrets", "signing"), "*.key").Length);
    }

    private static async Task BuildRpm(string image, string rpmDir, string name, string requires)
    {
        var spec = $"""
            Name: {name}
            Version: 1.0
            Release: 1
            Summary: {name}
            License: MIT
            BuildArch: noarch
            {requires}
            %description
            {name}
            %install
            mkdir -p %{"{"}buildroot{"}"}/usr/share/{name}
            echo 'data of {name}' > %{"{"}buildroot{"}"}/usr/share/{name}/data
            %files
            /usr/share/{name}/data
            """;
        await File.WriteAllTextAsync(Path.Combine(rpmDir, name + ".spec"), spec);
        await RpmHost.RunAsync(image, rpmDir, $"rpmbuild -bb --define '_topdir /tmp/b' /rpms/{name}.spec >/dev/null && cp /tmp/b/RPMS/noarch/{name}-1.0-1.noarch.rpm /rpms/ && chmod 644 /rpms/{name}-1.0-1.noarch.rpm");
    }

    /// <summary>As `koji import`: the RPM into the hub's work folder, createEmptyBuild, importRPM, then tagged.</summary>
    private static async Task Import(KojiHubClient hub, string hubContainer, string rpmDir, string name, string tag)
    {
        var file = $"{name}-1.0-1.noarch.rpm";
        var run = await Shell.RunAsync("docker", "exec", hubContainer, "mkdir", "-p", $"/mnt/koji/work/test-import/{name}");
        Assert.True(run.ExitCode == 0, run.ToString());
        run = await Shell.RunAsync("docker", "cp", Path.Combine(rpmDir, file), $"{hubContainer}:/mnt/koji/work/test-import/{name}/{file}");
        Assert.True(run.ExitCode == 0, run.ToString());
        run = await Shell.RunAsync("docker", "exec", hubContainer, "chown", "-R", "www-data:www-data", "/mnt/koji/work/test-import");
        Assert.True(run.ExitCode == 0, run.ToString());
        await hub.CallAsync("createEmptyBuild", name, "1.0", "1", null);
        await hub.CallAsync("importRPM", $"test-import/{name}", file);
        await hub.CallAsync("tagBuildBypass", tag, $"{name}-1.0-1");
    }
}
