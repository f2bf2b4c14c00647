using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using KojiProvisioner.Docker;
using KojiProvisioner.Hosts;
using KojiProvisioner.IntegrationTests.Docker;
using KojiProvisioner.IntegrationTests.Support;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.Hosts;

/// <summary>
/// The converger against real sshd: containers standing in for remote builder hosts. Koji is a
/// stand-in here (a "kojid" that reads its config and sleeps), installed through the real path:
/// package check, SFTP upload, install-kojid, supervisor. The real kojid is in RemoteKojiTests.
/// </summary>
public sealed class RemoteBuilderTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Secret = "-----BEGIN PRIVATE KEY-----\nTHIS-IS-THE-SECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n";
    private SshHosts _hosts = null!;
    private readonly string _state = Directory.CreateTempSubdirectory("koji-farm-remote-state-").FullName;
    private readonly EventLog _events = new();

    public async Task InitializeAsync() => _hosts = await SshHosts.CreateAsync();

    public async Task DisposeAsync()
    {
        output.WriteLine(_events.ToString());
        if (_hosts is not null)
            await _hosts.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [SkippableFact]
    public async Task First_setup_installs_kojid_uploads_its_files_and_starts_it_as_root_and_through_sudo()
    {
        var (a, b) = (await _hosts.StartAsync(), await _hosts.StartAsync());
        var results = await Converger().SetUpAsync([Builder("rb-a", a, "root"), Builder("rb-b", b, "builder")], CancellationToken.None);

        foreach (var (host, result) in new[] { a, b }.Zip(results))
        {
            Assert.False(result.Failed, result.Error);
            Assert.True(result.Restarted);
            Assert.Contains(result.Changes, c => c.StartsWith("installed kojid 0.0-test", StringComparison.Ordinal));
            Assert.Equal("600 root", (await _hosts.ExecAsync(host, "stat -c '%a %U' /etc/koji-farm/pki/client.pem")).Trim());
            Assert.Contains($"user = {result.Name}", await _hosts.ExecAsync(host, "cat /etc/kojid/kojid.conf"));
            Assert.Contains("BEGIN CERTIFICATE", await _hosts.ExecAsync(host, "cat /usr/local/share/ca-certificates/koji-farm-teststack.crt"));
            Assert.NotEmpty(await KojidPidAsync(host));
        }
        // The supervisor outlived the SSH session that started it: once sshd has ended every session
        // (only the listener, PID 1, is left), kojid still runs.
        await Eventually.UntilAsync(async () => (await _hosts.ExecAsync(a, "pgrep sshd | grep -vx 1 || true")).Trim().Length == 0,
            TimeSpan.FromMinutes(1), "sshd to end the sessions of the setup");
        Assert.NotEmpty(await KojidPidAsync(a));
        Assert.DoesNotContain("THIS-IS-THE-SECRET", _events.ToString());
    }

    [SkippableFact]
    public async Task Rerun_with_nothing_changed_uploads_nothing_and_restarts_nothing()
    {
        var host = await _hosts.StartAsync();
        var builder = Builder("rb-same", host, "builder");
        Assert.False((await Converger().SetUpAsync([builder], CancellationToken.None))[0].Failed);
        const string times = "stat -c '%n %.9Y' /etc/kojid/kojid.conf /etc/koji-farm/pki/client.pem /etc/koji-farm/pki/ca.crt /etc/koji-farm/config-hash /opt/koji-farm/sbin/kojid";
        var before = await _hosts.ExecAsync(host, times);
        var pid = await KojidPidAsync(host);

        var again = (await Converger().SetUpAsync([builder], CancellationToken.None))[0];

        Assert.False(again.Failed, again.Error);
        Assert.Empty(again.Changes);
        Assert.Equal(0, again.Uploads);
        Assert.False(again.Restarted);
        Assert.Equal(before, await _hosts.ExecAsync(host, times));
        Assert.Equal(pid, await KojidPidAsync(host));
    }

    [SkippableFact]
    public async Task A_changed_setting_rewrites_and_restarts_that_host_only()
    {
        var (a, b) = (await _hosts.StartAsync(), await _hosts.StartAsync());
        var builders = new[] { Builder("rb-a", a, "root"), Builder("rb-b", b, "root") };
        Assert.All(await Converger().SetUpAsync(builders, CancellationToken.None), r => Assert.False(r.Failed, r.Error));
        var (pidA, pidB) = (await KojidPidAsync(a), await KojidPidAsync(b));

        builders[0] = builders[0] with { KojidConf = builders[0].KojidConf.Replace("maxjobs = 5", "maxjobs = 9", StringComparison.Ordinal) };
        var results = await Converger().SetUpAsync(builders, CancellationToken.None);

        Assert.True(results[0].Restarted);
        Assert.True(results[0].Uploads > 0);
        Assert.DoesNotContain(results[0].Changes, c => c.StartsWith("installed", StringComparison.Ordinal));
        Assert.Contains("maxjobs = 9", await _hosts.ExecAsync(a, "cat /etc/kojid/kojid.conf"));
        Assert.NotEqual(pidA, await WaitForKojidAsync(a, pidA));
        Assert.False(results[1].Restarted);
        Assert.Equal(0, results[1].Uploads);
        Assert.Equal(pidB, await KojidPidAsync(b));
    }

    [SkippableFact]
    public async Task A_retired_host_is_stopped_and_keeps_its_files_until_purged()
    {
        var host = await _hosts.StartAsync();
        var builder = Builder("rb-old", host, "builder");
        Assert.False((await Converger().SetUpAsync([builder], CancellationToken.None))[0].Failed);

        var stopped = (await Converger().StopAsync([builder.Target], purge: false, "teststack", CancellationToken.None))[0];
        Assert.False(stopped.Failed, stopped.Error);
        Assert.Contains("stopped kojid", stopped.Changes);
        Assert.Empty(await KojidPidAsync(host));
        Assert.Equal(0, await _hosts.TryExecAsync(host, "test -f /etc/kojid/kojid.conf"));

        var purged = (await Converger().StopAsync([builder.Target], purge: true, "teststack", CancellationToken.None))[0];
        Assert.False(purged.Failed, purged.Error);
        Assert.Equal("gone", (await _hosts.ExecAsync(host,
            "ls -d /opt/koji-farm /etc/koji-farm /etc/kojid/kojid.conf /usr/local/share/ca-certificates/koji-farm-teststack.crt 2>/dev/null || echo gone")).Trim());
    }

    [SkippableFact]
    public async Task A_key_the_host_does_not_accept_fails_with_a_message_naming_the_host()
    {
        var host = await _hosts.StartAsync();
        var builder = Builder("rb-key", host, "root");
        builder = builder with { Target = builder.Target with { PrivateKeyPath = _hosts.UnknownKey.PrivateKeyPath, KeySource = _hosts.UnknownKey.PrivateKeyPath } };

        var result = (await Converger().SetUpAsync([builder], CancellationToken.None))[0];

        Assert.True(result.Failed);
        Assert.StartsWith($"host rb-key (root@127.0.0.1:{host.Port}): authentication refused for user root", result.Error);
    }

    [SkippableFact]
    public async Task A_changed_host_key_is_refused_naming_both_fingerprints_and_nothing_is_sent()
    {
        var host = await _hosts.StartAsync();
        var builder = Builder("rb-tofu", host, "root");
        var first = await _hosts.FingerprintAsync(host);
        Assert.False((await Converger().SetUpAsync([builder], CancellationToken.None))[0].Failed);
        var known = await File.ReadAllTextAsync(Path.Combine(_state, "known-hosts.json"));
        Assert.True(known.Contains(first, StringComparison.Ordinal), $"{first} not in {known}");

        await _hosts.ChangeHostKeysAsync(host);
        var second = await _hosts.FingerprintAsync(host);
        var logins = Logins(await _hosts.SshdLogAsync(host));
        var result = (await Converger().SetUpAsync([builder], CancellationToken.None))[0];

        Assert.True(result.Failed);
        Assert.True(result.Error!.StartsWith($"host rb-tofu (root@127.0.0.1:{host.Port}): host key changed: recorded {first} on first use, the host now offers {second}",
            StringComparison.Ordinal), result.Error);
        Assert.Equal(logins, Logins(await _hosts.SshdLogAsync(host)));

        // A pinned fingerprint wins over the record: the right one connects, a wrong one is refused.
        var pinned = (await Converger().SetUpAsync([builder with { Target = builder.Target with { ExpectedHostKey = second } }], CancellationToken.None))[0];
        Assert.False(pinned.Failed, pinned.Error);
        var wrong = (await Converger().SetUpAsync([builder with { Target = builder.Target with { ExpectedHostKey = first } }], CancellationToken.None))[0];
        Assert.True(wrong.Error?.Contains($"expected {first}, the host offered {second}", StringComparison.Ordinal), wrong.Error);
    }

    [SkippableFact]
    public async Task A_host_that_is_down_fails_alone_while_the_others_are_set_up()
    {
        var (up, down) = (await _hosts.StartAsync(), await _hosts.StartAsync());
        await _hosts.StopAsync(down);

        var results = await Converger().SetUpAsync([Builder("rb-up", up, "root"), Builder("rb-down", down, "root")], CancellationToken.None);

        Assert.False(results[0].Failed, results[0].Error);
        Assert.NotEmpty(await KojidPidAsync(up));
        Assert.True(results[1].Failed);
        Assert.StartsWith($"host rb-down (root@127.0.0.1:{down.Port}): unreachable", results[1].Error);
    }

    [SkippableFact]
    public async Task Missing_sudo_unsupported_OS_and_a_failing_package_install_each_get_one_clear_message()
    {
        var (plain, odd, broken) = (await _hosts.StartAsync(), await _hosts.StartAsync(), await _hosts.StartAsync());
        await _hosts.ExecAsync(odd, "printf 'ID=plan9\\nPRETTY_NAME=\"Plan 9 from Bell Labs\"\\n' > /etc/os-release");
        // A package is missing and apt cannot reach any mirror (nothing leaves this machine).
        await _hosts.ExecAsync(broken, "dpkg -r --force-depends createrepo-c >/dev/null 2>&1; echo 'deb http://127.0.0.1:9/debian bookworm main' > /etc/apt/sources.list; rm -f /etc/apt/sources.list.d/*");

        var results = await Converger().SetUpAsync(
            [Builder("rb-nosudo", plain, "nosudo"), Builder("rb-plan9", odd, "root"), Builder("rb-apt", broken, "root")], CancellationToken.None);

        Assert.StartsWith("host rb-nosudo: user nosudo cannot run sudo without a password", results[0].Error);
        Assert.StartsWith("host rb-plan9: unsupported OS 'Plan 9 from Bell Labs'", results[1].Error);
        Assert.StartsWith("host rb-apt: installing packages createrepo-c failed", results[2].Error);
        Assert.Contains("  | ", results[2].Error);
    }

    private RemoteBuilderConverger Converger() =>
        new(KnownHosts.In(new KojiProvisioner.StateFolder(_state)), RemoteAssets.Load(KojiProvisioner.Assets.Root), _events);

    private RemoteBuilder Builder(string name, SshHost host, string user) => new(
        new SshTarget(name, "127.0.0.1", host.Port, user, _hosts.Key.PrivateKeyPath, _hosts.Key.PrivateKeyPath, null),
        "teststack",
        $"[kojid]\nuser = {name}\nserver = https://hub/kojihub\nmaxjobs = 5\ncert = /etc/koji-farm/pki/client.pem\n",
        Secret,
        TestCa,
        FakeKoji.Value);

    private async Task<string> KojidPidAsync(SshHost host) =>
        (await _hosts.ExecAsync(host, "pgrep -f '^/usr/bin/python3 /opt/koji-farm/sbin/kojid' || true")).Trim();

    private Task<string> WaitForKojidAsync(SshHost host, string old) =>
        Eventually.ValueAsync(() => KojidPidAsync(host), pid => pid.Length > 0 && pid != old,
            TimeSpan.FromMinutes(1), $"a kojid other than pid {old} on {host.Container}");

    private static int Logins(string sshdLog) =>
        sshdLog.Split('\n').Count(l => l.Contains("Accepted publickey", StringComparison.Ordinal));

    /// <summary>A real certificate (update-ca-certificates checks what it adds), made once.</summary>
    private static string TestCa { get; } = MakeCa();

    private static string MakeCa()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=koji-farm test CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return cert.ExportCertificatePem() + "\n";
    }

    /// <summary>
    /// A Koji source tarball with just what install-kojid needs: the koji package (version
    /// 0.0-test) and a builder/kojid that reads its config and sleeps until stopped.
    /// </summary>
    private static readonly Lazy<KojiSource> FakeKoji = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("koji-farm-fake-koji-").FullName;
        var top = Path.Combine(dir, "koji-0.0-test");
        Directory.CreateDirectory(Path.Combine(top, "koji"));
        Directory.CreateDirectory(Path.Combine(top, "builder"));
        File.WriteAllText(Path.Combine(top, "koji", "__init__.py"), "");
        File.WriteAllText(Path.Combine(top, "koji", "_version.py"), "__version__ = '0.0-test'\n");
        File.WriteAllText(Path.Combine(top, "builder", "kojid"), """
            #!/usr/bin/python2
            # Stand-in for kojid: reads its config file, then sleeps until stopped.
            import configparser, sys, time
            if '--help' in sys.argv:
                print('usage: kojid [options]')
                sys.exit(0)
            config = configparser.ConfigParser()
            config.read(sys.argv[sys.argv.index('-c') + 1])
            while True:
                time.sleep(3600)

            """);
        var tarball = Path.Combine(dir, "koji-0.0-test.tar.gz");
        using (var file = File.Create(tarball))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            TarFile.CreateFromDirectory(top, gzip, includeBaseDirectory: true);
        return new KojiSource(tarball);
    });
}
