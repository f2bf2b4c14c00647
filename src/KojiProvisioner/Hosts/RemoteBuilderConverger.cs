using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace KojiProvisioner.Hosts;

/// <summary>What happened on one remote host. <see cref="Error"/> is set when the host failed; the others went on.</summary>
public sealed record RemoteHostResult(string Name, string Endpoint, IReadOnlyList<string> Changes, int Uploads, bool Restarted, string? Error)
{
    public bool Failed => Error is not null;
}

/// <summary>A remote host as seen now: reachable, kojid running; <see cref="Problem"/> says why not.</summary>
public sealed record RemoteHostProbe(string Name, string Endpoint, bool Reachable, bool KojidRunning, string ServiceManager, string? Problem);

/// <summary>What is on a host, read before anything is changed.</summary>
public sealed record HostObservation(string? InstallHash, string? ConfigHash, bool Systemd, bool KojidRunning);

/// <summary>
/// What one host needs, decided from what it has (its hash file and kojid's state) and nothing
/// else: the plan half of a host's observe → plan → execute.
/// </summary>
public sealed record HostPlan(bool Install, bool Configure, bool Start)
{
    public static HostPlan For(HostObservation seen, string installHash, string configHash)
    {
        var install = seen.InstallHash != installHash;
        var configure = install || seen.ConfigHash != configHash;
        return new HostPlan(install, configure, Start: !configure && !seen.KojidRunning);
    }

    public bool IsEmpty => !Install && !Configure && !Start;

    public override string ToString() => Install ? "install" : Configure ? "configure" : Start ? "start kojid" : "up to date";
}

/// <summary>
/// Sets up, converges, stops and purges kojid on remote builder hosts over SSH, all hosts in
/// parallel; a failing host is reported and never stops the others. Each host goes through
/// observe (the hashes kept in /etc/koji-farm/config-hash, kojid's state) → plan → execute:
/// a host whose hashes match and whose kojid runs gets no upload and no restart. The hash file is
/// written last, so a run cut short is redone next time.
/// </summary>
public sealed class RemoteBuilderConverger(KnownHosts knownHosts, RemoteAssets assets, IProgress<FarmEvent>? progress = null)
{
    public const string HashFile = "/etc/koji-farm/config-hash";
    public const string KojidConf = "/etc/kojid/kojid.conf";
    public const string ClientPem = "/etc/koji-farm/pki/client.pem";
    public const string CaCert = "/etc/koji-farm/pki/ca.crt";
    public const string Unit = "koji-farm-kojid";
    public const string UnitFile = "/etc/systemd/system/" + Unit + ".service";
    public const string SupervisorPath = BuilderInstaller.Prefix + "/bin/kojid-supervisor";
    public const string RunDir = "/run/koji-farm";
    public const string KojidLog = "/var/log/koji-farm-kojid.log";

    private const int Mode0644 = (int)FileModes.Public, Mode0600 = (int)FileModes.Private, Mode0755 = (int)FileModes.Executable;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>How long to wait for a host to answer.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public Task<IReadOnlyList<RemoteHostResult>> SetUpAsync(IReadOnlyList<RemoteBuilder> builders, CancellationToken ct) =>
        EachAsync(builders.Select(b => (b.Target, (Func<RemoteSession, List<string>, Task<bool>>)((s, changes) => SetUpOneAsync(s, b, changes, ct)))), ct);

    /// <summary>Stops kojid (and keeps it from starting again); with <paramref name="purge"/> also removes everything koji-farm put there.</summary>
    public Task<IReadOnlyList<RemoteHostResult>> StopAsync(IReadOnlyList<SshTarget> targets, bool purge, string stack, CancellationToken ct) =>
        EachAsync(targets.Select(t => (t, (Func<RemoteSession, List<string>, Task<bool>>)((s, changes) => StopOneAsync(s, purge, stack, changes, ct)))), ct);

    public async Task<IReadOnlyList<RemoteHostProbe>> ProbeAsync(IReadOnlyList<SshTarget> targets, CancellationToken ct) =>
        await Task.WhenAll(targets.Select(async t =>
        {
            try
            {
                using var session = await RemoteSession.ConnectAsync(t, knownHosts, ConnectTimeout, ct);
                await EnsureSudoAsync(session, ct);
                var seen = await ObserveAsync(session, ct);
                return new RemoteHostProbe(t.Name, t.Endpoint, true, seen.KojidRunning, seen.Systemd ? "systemd" : "supervisor",
                    seen.KojidRunning ? null : seen.ConfigHash is null ? "not set up" : "kojid is not running");
            }
            catch (FarmException e)
            {
                return new RemoteHostProbe(t.Name, t.Endpoint, false, false, "-", e.Message);
            }
        }));

    private async Task<IReadOnlyList<RemoteHostResult>> EachAsync(
        IEnumerable<(SshTarget Target, Func<RemoteSession, List<string>, Task<bool>> Work)> hosts, CancellationToken ct) =>
        await Task.WhenAll(hosts.Select(async h =>
        {
            var changes = new List<string>();
            RemoteSession? session = null;
            try
            {
                session = await RemoteSession.ConnectAsync(h.Target, knownHosts, ConnectTimeout, ct);
                Report(h.Target.Name, $"connected as {h.Target.User}@{h.Target.Endpoint}");
                await EnsureSudoAsync(session, ct);
                var restarted = await h.Work(session, changes);
                return new RemoteHostResult(h.Target.Name, h.Target.Endpoint, changes, session.Uploads, restarted, null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // One host's failure, whatever it is, is that host's alone.
                var message = e is FarmException ? e.Message : $"host {h.Target.Name}: {e.GetType().Name}: {e.Message}";
                progress?.Report(new FarmEvent(FarmStep.Warning, h.Target.Name, message, _clock.Elapsed));
                return new RemoteHostResult(h.Target.Name, h.Target.Endpoint, changes, session?.Uploads ?? 0, false, message);
            }
            finally
            {
                session?.Dispose();
            }
        }));

    private async Task<bool> SetUpOneAsync(RemoteSession session, RemoteBuilder builder, List<string> changes, CancellationToken ct)
    {
        var name = builder.Name;
        var osRelease = await session.RunCheckedAsync("reading /etc/os-release", "cat /etc/os-release || cat /usr/lib/os-release", asRoot: false, ct: ct);
        var os = HostOs.Parse(name, osRelease.Stdout);
        var installer = BuilderInstaller.For(os);
        if (installer.FromSource && builder.Koji is null)
            throw new FarmException($"host {name}: {os.PrettyName} gets Koji from the stack's Koji source (koji.from: source with koji.path or KOJI_SOURCE), and the stack has none");

        var seen = await ObserveAsync(session, ct);
        var installHash = InstallHash(installer, builder);
        var service = ServiceFiles(installer, seen.Systemd);
        var files = new List<RemoteFile>
        {
            RemoteFile.Text(KojidConf, builder.KojidConf),
            RemoteFile.Text(ClientPem, builder.ClientPem, Mode0600, secret: true),
            RemoteFile.Text(CaCert, builder.CaPem),
            RemoteFile.Text(installer.TrustStoreFile(builder.Stack), builder.CaPem),
        };
        files.AddRange(service);
        var configHash = Hash(files.Select(f => f.Path + "\n" + f.Mode + "\n" + Convert.ToHexStringLower(SHA256.HashData(f.Content))).Append(installHash));

        var plan = HostPlan.For(seen, installHash, configHash);
        var install = plan.Install;
        var configure = plan.Configure;
        Report(name, $"{os.PrettyName}, {(seen.Systemd ? "systemd" : "no systemd: supervised process")}; {plan}");

        if (install)
        {
            if (await installer.EnsurePackagesAsync(session, ct) is { } installed)
                Changed(name, changes, installed);
            if (installer.FromSource)
            {
                var src = $"{BuilderInstaller.Prefix}/src";
                var upload = new List<RemoteFile>
                {
                    new($"{src}/koji-src.tar.gz", builder.Koji!.Tarball, Mode0644),
                    RemoteFile.Text($"{src}/install-kojid", assets.InstallKojid, Mode0755),
                };
                upload.AddRange(assets.Multilib.Select(m => new RemoteFile($"{src}/multilib/{m.Name}", m.Content, Mode0644)));
                await session.UploadAsync(upload, ct);
                var result = await session.RunCheckedAsync("installing kojid from the Koji source",
                    $"{src}/install-kojid {src}/koji-src.tar.gz {src}/multilib; status=$?; rm -rf {src}; exit $status", timeout: TimeSpan.FromMinutes(10), ct: ct);
                Changed(name, changes, result.Stdout.Trim().Split('\n').Last());
            }
        }

        if (configure)
        {
            await session.UploadAsync(files, ct);
            Changed(name, changes, $"wrote {KojidConf}, {ClientPem} (0600), {CaCert}, the trust store and the {(seen.Systemd ? "systemd unit" : "supervisor")}");
            await session.RunCheckedAsync("adding the farm's CA to the system trust store", installer.UpdateTrustStore, ct: ct);
            await RestartKojidAsync(session, installer, seen.Systemd, ct);
            Changed(name, changes, seen.KojidRunning ? "restarted kojid" : "started kojid");
            await session.RunCheckedAsync($"writing {HashFile}",
                $"mkdir -p /etc/koji-farm && printf 'install %s\\nconfig %s\\n' {installHash} {configHash} > {HashFile}.tmp && mv {HashFile}.tmp {HashFile}", ct: ct);
            return true;
        }
        if (plan.Start)
        {
            await RestartKojidAsync(session, installer, seen.Systemd, ct);
            Changed(name, changes, "started kojid (it was not running)");
            return true;
        }
        return false;
    }

    private async Task<bool> StopOneAsync(RemoteSession session, bool purge, string stack, List<string> changes, CancellationToken ct)
    {
        var name = session.Target.Name;
        var seen = await ObserveAsync(session, ct);
        if (seen.KojidRunning || seen.ConfigHash is not null)
        {
            await StopKojidAsync(session, seen.Systemd, ct);
            if (seen.KojidRunning)
                Changed(name, changes, "stopped kojid");
        }
        if (purge && (seen.ConfigHash is not null || seen.InstallHash is not null || await AnyLeftAsync(session, ct)))
        {
            // Packages stay: other software may use them, as an operator would leave them.
            var trust = string.Join(' ', new[] { "apt", "rpm", "swupd" }.Select(k => k switch
            {
                "apt" => new AptInstaller().TrustStoreFile(stack),
                "rpm" => new RpmInstaller("dnf").TrustStoreFile(stack),
                _ => new SwupdInstaller().TrustStoreFile(stack),
            }));
            await session.RunCheckedAsync("removing koji-farm's files",
                $"rm -rf {BuilderInstaller.Prefix} /etc/koji-farm {RunDir} {KojidConf} {UnitFile} {KojidLog} {trust}; " +
                "rmdir /etc/kojid 2>/dev/null; " +
                "if command -v update-ca-certificates >/dev/null; then update-ca-certificates --fresh >/dev/null 2>&1; " +
                "elif command -v update-ca-trust >/dev/null; then update-ca-trust extract; " +
                "elif command -v clrtrust >/dev/null; then clrtrust generate >/dev/null 2>&1; fi; " +
                "if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; true", ct: ct);
            Changed(name, changes, $"removed {BuilderInstaller.Prefix}, /etc/koji-farm, {KojidConf}, the kojid service and the farm's CA");
        }
        return false;
    }

    private static async Task<bool> AnyLeftAsync(RemoteSession session, CancellationToken ct) =>
        (await session.RunAsync($"[ -e {BuilderInstaller.Prefix} ] || [ -e /etc/koji-farm ] || [ -e {KojidConf} ]", ct: ct)).Succeeded;

    /// <summary>`sudo -n` fails instead of asking for a password that nobody would type.</summary>
    private static async Task EnsureSudoAsync(RemoteSession session, CancellationToken ct)
    {
        if (session.Target.IsRoot)
            return;
        var result = await session.RunAsync("sudo -n true", asRoot: false, ct: ct);
        if (!result.Succeeded)
            throw new FarmException($"host {session.Target.Name}: user {session.Target.User} cannot run sudo without a password " +
                $"(`sudo -n true`: {result.Stderr.Trim()}); allow it passwordless sudo or use root");
    }

    public static async Task<HostObservation> ObserveAsync(RemoteSession session, CancellationToken ct)
    {
        var result = await session.RunCheckedAsync("reading the host's state",
            $"cat {HashFile} 2>/dev/null; " +
            "if [ -d /run/systemd/system ]; then echo systemd yes; " +
            $"  if systemctl is-active --quiet {Unit}; then echo running yes; fi; " +
            "else echo systemd no; " +
            $"  if [ -f {RunDir}/kojid-supervisor.pid ] && kill -0 \"$(cat {RunDir}/kojid-supervisor.pid)\" 2>/dev/null; then echo running yes; fi; " +
            "fi", ct: ct);
        var fields = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
        return new HostObservation(fields.GetValueOrDefault("install"), fields.GetValueOrDefault("config"),
            fields.GetValueOrDefault("systemd") == "yes", fields.GetValueOrDefault("running") == "yes");
    }

    private IReadOnlyList<RemoteFile> ServiceFiles(BuilderInstaller installer, bool systemd)
    {
        var run = $"{installer.KojidCommand} --fg --force-lock -c {KojidConf}";
        if (systemd)
        {
            return [RemoteFile.Text(UnitFile, $"""
                # kojid of a koji-farm remote builder, written by koji-farm.
                [Unit]
                Description=Koji build daemon (koji-farm)
                Wants=network-online.target
                After=network-online.target

                [Service]
                ExecStart={run}
                # kojid exits at once when the hub is unreachable at start: try again.
                Restart=always
                RestartSec=5

                [Install]
                WantedBy=multi-user.target

                """)];
        }
        return [RemoteFile.Text(SupervisorPath, assets.Supervisor, Mode0755)];
    }

    private static async Task RestartKojidAsync(RemoteSession session, BuilderInstaller installer, bool systemd, CancellationToken ct)
    {
        if (systemd)
        {
            await session.RunCheckedAsync("starting kojid with systemd",
                $"systemctl daemon-reload && systemctl enable --quiet {Unit} && systemctl restart {Unit}", ct: ct);
            return;
        }
        await StopKojidAsync(session, systemd, ct);
        // setsid -f: a new session without a terminal, so the SSH session ending sends it no SIGHUP;
        // every descriptor goes elsewhere, so the SSH channel closes at once.
        await session.RunCheckedAsync("starting kojid under its supervisor",
            $"mkdir -p {RunDir} && setsid -f {SupervisorPath} {installer.KojidCommand} --fg --force-lock -c {KojidConf} " +
            $"</dev/null >>{KojidLog} 2>&1; " +
            $"for i in 1 2 3 4 5 6 7 8 9 10; do [ -f {RunDir}/kojid.pid ] && exit 0; sleep 0.2; done; " +
            $"echo 'the supervisor did not start kojid; last lines of {KojidLog}:'; tail -n 15 {KojidLog}; exit 1", ct: ct);
    }

    private static Task StopKojidAsync(RemoteSession session, bool systemd, CancellationToken ct)
    {
        if (systemd)
            return session.RunCheckedAsync("stopping kojid",
                $"if [ -f {UnitFile} ]; then systemctl disable --now --quiet {Unit}; fi", ct: ct);
        // SIGTERM to the supervisor stops kojid too; kojid takes up to 10 s when the hub is gone.
        return session.RunCheckedAsync("stopping kojid",
            $"pidfile={RunDir}/kojid-supervisor.pid; [ -f $pidfile ] || exit 0; pid=$(cat $pidfile); " +
            $"kid=$(cat {RunDir}/kojid.pid 2>/dev/null); " +
            "kill -TERM $pid 2>/dev/null; " +
            "for i in $(seq 1 60); do kill -0 $pid 2>/dev/null || break; sleep 0.25; done; " +
            "kill -KILL $pid $kid 2>/dev/null; " +
            $"rm -f $pidfile {RunDir}/kojid.pid; exit 0", ct: ct);
    }

    private string InstallHash(BuilderInstaller installer, RemoteBuilder builder) =>
        Hash([installer.Description, installer.FromSource ? builder.Koji!.Sha256 : "", installer.FromSource ? assets.Hash : ""]);

    private static string Hash(IEnumerable<string> parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n\0", parts))))[..32];

    private void Changed(string host, List<string> changes, string change)
    {
        changes.Add(change);
        Report(host, change);
    }

    private void Report(string host, string message) =>
        progress?.Report(new FarmEvent(FarmStep.Remote, host, message, _clock.Elapsed));
}
