using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet.Models;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.IntegrationTests.Docker;

namespace KojiProvisioner.IntegrationTests.Hosts;

/// <summary>A key pair made for this test run: the private half in a 0600 file, the public half as text.</summary>
public sealed record TestKey(string PrivateKeyPath, string PublicKey);

/// <summary>One sshd container standing in for a remote builder host, published on 127.0.0.1 only.</summary>
public sealed record SshHost(string Container, int Port);

/// <summary>
/// "Remote hosts" for the tests: containers from the Debian base with openssh-server (image built
/// once per run under a content-hashed tag), accepting a key pair made once per run. Every container
/// a test makes is removed by <see cref="DisposeAsync"/>, also when the test failed.
/// </summary>
public sealed class SshHosts : IAsyncDisposable
{
    private static readonly string RecipeDir = Path.Combine(TestEngine.RepoRoot, "tests", "KojiProvisioner.IntegrationTests", "Hosts", "Recipes");
    private static readonly Lazy<Task> Image = new(BuildImageAsync);
    private static readonly Lazy<Task<TestKey>> RunKey = new(() => MakeKeyAsync("koji-farm-test"));
    private static readonly Lazy<Task<TestKey>> OtherKey = new(() => MakeKeyAsync("koji-farm-test-unknown"));

    public static ImageSpec Sshd { get; } = new(
        $"koji-farm-test/sshd:{RecipeHash(Path.Combine(RecipeDir, "sshd"))}", "sshd",
        new Dictionary<string, string> { ["BASE_IMAGE"] = TestEngine.BaseImage }, new Dictionary<string, string>());

    private readonly DockerEngine _engine;
    private readonly List<string> _containers = [];
    private bool _disposed;
    private readonly string _prefix = $"t-ssh-{Guid.NewGuid().ToString("N")[..8]}";

    private SshHosts(DockerEngine engine, TestKey key, TestKey otherKey)
    {
        _engine = engine;
        Key = key;
        UnknownKey = otherKey;
    }

    /// <summary>The key every test host accepts.</summary>
    public TestKey Key { get; }

    /// <summary>A key no test host accepts.</summary>
    public TestKey UnknownKey { get; }

    public DockerEngine Engine => _engine;

    public static async Task<SshHosts> CreateAsync()
    {
        var engine = await TestEngine.ConnectOrSkipAsync();
        await Image.Value;
        return new SshHosts(engine, await RunKey.Value, await OtherKey.Value);
    }

    /// <summary>
    /// Starts a host. With <paramref name="network"/> it joins that Docker network (to reach a farm's
    /// hub by name) and may mount <paramref name="kojiVolume"/> read-only at /mnt/koji, as builders do.
    /// </summary>
    public async Task<SshHost> StartAsync(string? network = null, string? kojiVolume = null)
    {
        var name = $"{_prefix}-{_containers.Count + 1}";
        var id = await _engine.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = Sshd.Reference,
            Env = [$"AUTHORIZED_KEY={Key.PublicKey}"],
            Labels = new Dictionary<string, string> { ["koji-farm-test"] = "ssh-host" },
            ExposedPorts = new Dictionary<string, EmptyStruct> { ["22/tcp"] = default },
            HostConfig = new HostConfig
            {
                // Published on the loopback address only, on a port the engine picks.
                PortBindings = new Dictionary<string, IList<PortBinding>> { ["22/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "" }] },
                NetworkMode = network!,
                Mounts = kojiVolume is null ? null : [new global::Docker.DotNet.Models.Mount { Type = "volume", Source = kojiVolume, Target = "/mnt/koji", ReadOnly = true }],
            },
        }, CancellationToken.None);
        _containers.Add(name);
        await _engine.StartContainerAsync(id, name, CancellationToken.None);
        var inspect = await _engine.InspectContainerAsync(id, CancellationToken.None);
        var port = int.Parse(inspect!.NetworkSettings!.Ports!["22/tcp"]![0]!.HostPort);
        await WaitForSshAsync(name, port);
        return new SshHost(name, port);
    }

    /// <summary>Runs a command in the host's container (the test's view of the host, not the provisioner's).</summary>
    public async Task<string> ExecAsync(SshHost host, string script)
    {
        var result = await _engine.ExecAsync(host.Container, ["sh", "-c", script], CancellationToken.None);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{host.Container}: `{script}` failed: {result}");
        return result.Stdout;
    }

    public async Task<long> TryExecAsync(SshHost host, string script) =>
        (await _engine.ExecAsync(host.Container, ["sh", "-c", script], CancellationToken.None)).ExitCode;

    /// <summary>The host's ed25519 key fingerprint as `ssh-keygen -l` prints it.</summary>
    public async Task<string> FingerprintAsync(SshHost host) =>
        (await ExecAsync(host, "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub")).Split(' ')[1];

    /// <summary>New host keys, as after a reinstall (or an impostor): sshd re-reads them on SIGHUP.</summary>
    public async Task ChangeHostKeysAsync(SshHost host)
    {
        await ExecAsync(host, "rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && kill -HUP 1");
        // sshd re-executes itself on SIGHUP: wait until it serves the new key.
        for (var i = 0; ; i++)
        {
            if (await TryExecAsync(host, "ssh-keyscan -t ed25519 127.0.0.1 2>/dev/null | grep -qF \"$(cut -d' ' -f2 /etc/ssh/ssh_host_ed25519_key.pub)\"") == 0)
                break;
            if (i > 100)
                throw new TimeoutException($"sshd in {host.Container} did not take its new host keys within 20 s");
            await Task.Delay(200);
        }
        await WaitForSshAsync(host.Container, host.Port);
    }

    public async Task StopAsync(SshHost host) =>
        await _engine.StopContainerAsync(host.Container, host.Container, TimeSpan.FromSeconds(1), CancellationToken.None);

    /// <summary>sshd's log: one "Accepted publickey" line per login.</summary>
    public async Task<string> SshdLogAsync(SshHost host) =>
        await _engine.LogTailAsync(host.Container, 1000, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var name in _containers)
        {
            try
            {
                await _engine.RemoveContainerAsync(name, name, CancellationToken.None);
            }
            catch (FarmException)
            {
                // best effort: the next run's names differ
            }
        }
        _engine.Dispose();
    }

    private static async Task WaitForSshAsync(string name, int port)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(System.Net.IPAddress.Loopback, port);
                using var stream = tcp.GetStream();
                stream.ReadTimeout = 2000;
                var buffer = new byte[4];
                var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
                if (read == 4 && Encoding.ASCII.GetString(buffer) == "SSH-")
                    return;
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException)
            {
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                throw new TimeoutException($"sshd in {name} did not answer on 127.0.0.1:{port} within 30 s");
            await Task.Delay(100);
        }
    }

    private static async Task BuildImageAsync()
    {
        using var engine = await DockerEngine.ConnectAsync();
        if (await engine.ImageIdAsync(Sshd.Reference, CancellationToken.None) is not null)
            return;
        await using var context = FileArchive.BuildContext(Sshd, RecipeDir);
        await engine.BuildImageAsync(Sshd, context, null, null, CancellationToken.None);
    }

    private static async Task<TestKey> MakeKeyAsync(string comment)
    {
        var dir = Directory.CreateTempSubdirectory("koji-farm-test-key-").FullName;
        var path = Path.Combine(dir, "id_ed25519");
        using var process = Process.Start(new ProcessStartInfo("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("ssh-keygen did not start");
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ssh-keygen failed: {stderr}");
        return new TestKey(path, (await File.ReadAllTextAsync(path + ".pub")).Trim());
    }

    private static string RecipeHash(string dir)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetRelativePath(dir, file)}\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        hash.AppendData(Encoding.UTF8.GetBytes(TestEngine.BaseImage));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }
}
