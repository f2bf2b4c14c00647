using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace KojiProvisioner.Hosts;

/// <summary>A file to put on a remote host. Secrets are never shown: messages name only their path.</summary>
public sealed record RemoteFile(string Path, byte[] Content, int Mode, bool Secret = false)
{
    public static RemoteFile Text(string path, string content, int mode = (int)FileModes.Public, bool secret = false) =>
        new(path, System.Text.Encoding.UTF8.GetBytes(content), mode, secret);
}

/// <summary>
/// One SSH connection to a remote host (SSH.NET), with SFTP opened only when something is
/// uploaded. The host key is checked while the connection is made, before authentication: a
/// key that differs from the expected one (the stack's `hostKey`, or the one recorded on first
/// use) ends the connection, so nothing — not even the user name's key — is sent to that host.
/// Every failure a user meets becomes a <see cref="FarmException"/> naming the host.
/// </summary>
public sealed class RemoteSession : IDisposable
{
    private readonly SshClient _ssh;
    private readonly ConnectionInfo _connection;
    private readonly KnownHosts _knownHosts;
    private SftpClient? _sftp;

    private RemoteSession(SshTarget target, SshClient ssh, ConnectionInfo connection, KnownHosts knownHosts)
    {
        Target = target;
        _ssh = ssh;
        _connection = connection;
        _knownHosts = knownHosts;
    }

    public SshTarget Target { get; }

    /// <summary>How many files this session uploaded (a converged host gets none).</summary>
    public int Uploads { get; private set; }

    public static async Task<RemoteSession> ConnectAsync(SshTarget target, KnownHosts knownHosts, TimeSpan timeout, CancellationToken ct)
    {
        var host = $"host {target.Name} ({target.User}@{target.Endpoint})";
        if (target.PrivateKeyPath is null)
            throw new FarmException($"{host}: no private key: {target.KeySource}; set the variable to the key file's path");
        if (!File.Exists(target.PrivateKeyPath))
            throw new FarmException($"{host}: private key {target.KeySource} does not exist");
        PrivateKeyFile key;
        try
        {
            key = new PrivateKeyFile(target.PrivateKeyPath);
        }
        catch (Exception e) when (e is SshException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new FarmException($"{host}: cannot read private key {target.KeySource}: {e.Message} (a passphrase-protected key is not supported)");
        }

        var connection = new ConnectionInfo(target.Address, target.Port, target.User, new PrivateKeyAuthenticationMethod(target.User, key))
        {
            Timeout = timeout,
        };
        var ssh = new SshClient(connection);
        var check = new HostKeyCheck(target, knownHosts);
        ssh.HostKeyReceived += check.OnHostKey;
        try
        {
            await ssh.ConnectAsync(ct);
            return new RemoteSession(target, ssh, connection, knownHosts);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            ssh.Dispose();
            key.Dispose();
            if (check.Refusal is { } refusal)
                throw new FarmException($"{host}: {refusal}");
            throw e switch
            {
                SshAuthenticationException => new FarmException(
                    $"{host}: authentication refused for user {target.User} with key {target.KeySource} ({e.Message}); check the user and that the key's public half is in its ~/.ssh/authorized_keys"),
                SocketException or SshOperationTimeoutException or SshConnectionException or TimeoutException or OperationCanceledException or ProxyException =>
                    new FarmException($"{host}: unreachable: {e.Message}"),
                _ => new FarmException($"{host}: SSH connection failed: {e.GetType().Name}: {e.Message}"),
            };
        }
    }

    /// <summary>
    /// Runs <paramref name="script"/> with `sh -c`, as root (through `sudo -n` when the user is not
    /// root) unless <paramref name="asRoot"/> is false. <paramref name="shown"/> replaces the script
    /// in every message: pass it for scripts that carry secrets.
    /// </summary>
    public async Task<CommandResult> RunAsync(string script, bool asRoot = true, string? shown = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var text = (asRoot && !Target.IsRoot ? "sudo -n sh -c " : "sh -c ") + Quote(script);
        using var command = _ssh.CreateCommand(text);
        command.CommandTimeout = timeout ?? TimeSpan.FromMinutes(10);
        try
        {
            await command.ExecuteAsync(ct);
        }
        catch (SshOperationTimeoutException)
        {
            throw new FarmException($"host {Target.Name}: `{shown ?? script}` did not finish within {command.CommandTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is SshConnectionException or SocketException)
        {
            throw new FarmException($"host {Target.Name}: connection lost while running `{shown ?? script}`: {e.Message}");
        }
        return new CommandResult(shown ?? script, command.ExitStatus ?? -1, command.Result, command.Error);
    }

    /// <summary>Like <see cref="RunAsync"/>, but a failure becomes one message: what failed, on which host, the last lines of output.</summary>
    public async Task<CommandResult> RunCheckedAsync(string what, string script, bool asRoot = true, string? shown = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var result = await RunAsync(script, asRoot, shown, timeout, ct);
        if (!result.Succeeded)
            throw new FarmException($"host {Target.Name}: {what} failed (exit code {result.ExitCode}); last lines of its output:\n{result.Tail()}");
        return result;
    }

    /// <summary>
    /// Puts files in place as root: each is written over SFTP into a fresh private folder (mode 0700,
    /// the file made 0600 before any content is written), then installed with its owner and mode
    /// by one `install` and the folder removed. A file's content never appears in a command.
    /// </summary>
    public async Task UploadAsync(IReadOnlyList<RemoteFile> files, CancellationToken ct)
    {
        if (files.Count == 0)
            return;
        var staging = (await RunCheckedAsync("making an upload folder", "umask 077; mktemp -d /tmp/koji-farm-upload.XXXXXX", asRoot: false, ct: ct)).Stdout.Trim();
        try
        {
            var sftp = await SftpAsync(ct);
            var steps = new List<string>();
            for (var i = 0; i < files.Count; i++)
            {
                var file = files[i];
                var staged = $"{staging}/{i}";
                try
                {
                    await using var stream = sftp.Create(staged);
                    // SSH.NET takes the mode as octal digits: 600 is rw-------.
                    sftp.ChangePermissions(staged, 600);
                    await stream.WriteAsync(file.Content, ct);
                }
                catch (Exception e) when (e is SshException or IOException)
                {
                    throw new FarmException($"host {Target.Name}: uploading {file.Path} over SFTP failed: {e.Message}");
                }
                steps.Add($"install -D -m {Convert.ToString(file.Mode, 8)} -o root -g root {Quote(staged)} {Quote(file.Path)}");
                Uploads++;
            }
            await RunCheckedAsync($"installing {string.Join(", ", files.Select(f => f.Path))}",
                string.Join(" && ", steps), ct: ct);
        }
        finally
        {
            await RunAsync($"rm -rf {Quote(staging)}", asRoot: !Target.IsRoot, ct: CancellationToken.None);
        }
    }

    /// <summary>A file's text, or null when it does not exist. Only for files that hold no secret.</summary>
    public async Task<string?> ReadFileAsync(string path, CancellationToken ct)
    {
        var result = await RunAsync($"if [ -f {Quote(path)} ]; then cat {Quote(path)}; else exit 3; fi", ct: ct);
        return result.ExitCode switch
        {
            0 => result.Stdout,
            3 => null,
            _ => throw new FarmException($"host {Target.Name}: reading {path} failed: {result}"),
        };
    }

    private async Task<SftpClient> SftpAsync(CancellationToken ct)
    {
        if (_sftp is { IsConnected: true })
            return _sftp;
        // A second connection: its host key is checked again, against what the first one saw.
        var sftp = new SftpClient(_connection);
        var check = new HostKeyCheck(Target, _knownHosts);
        sftp.HostKeyReceived += check.OnHostKey;
        try
        {
            await sftp.ConnectAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            sftp.Dispose();
            throw new FarmException($"host {Target.Name}: SFTP connection failed: {check.Refusal ?? e.Message}");
        }
        _sftp = sftp;
        return sftp;
    }

    /// <summary>Single-quotes <paramref name="s"/> for sh.</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public void Dispose()
    {
        _sftp?.Dispose();
        _ssh.Dispose();
    }

    /// <summary>The host key policy, applied in SSH.NET's HostKeyReceived event (before authentication).</summary>
    private sealed class HostKeyCheck(SshTarget target, KnownHosts knownHosts)
    {
        public string? Refusal { get; private set; }

        public void OnHostKey(object? sender, HostKeyEventArgs e)
        {
            var actual = KnownHosts.Normalize(e.FingerPrintSHA256);
            if (target.ExpectedHostKey is { } pinned)
            {
                var expected = KnownHosts.Normalize(pinned);
                e.CanTrust = expected == actual;
                if (!e.CanTrust)
                    Refusal = $"host key does not match the stack's hostKey: expected {expected}, the host offered {actual} ({e.HostKeyName}); refused, nothing was sent to it";
                return;
            }
            var known = knownHosts.Find(target.KnownHostsKey);
            if (known is null)
            {
                knownHosts.Record(target.KnownHostsKey, actual);
                e.CanTrust = true;
                return;
            }
            e.CanTrust = known == actual;
            if (!e.CanTrust)
                Refusal = $"host key changed: recorded {known} on first use, the host now offers {actual} ({e.HostKeyName}); refused, nothing was sent to it. " +
                    $"If the host was reinstalled, remove \"{target.KnownHostsKey}\" from {knownHosts.File} or set hostKey in the stack";
        }
    }
}
