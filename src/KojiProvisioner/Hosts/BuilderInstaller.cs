namespace KojiProvisioner.Hosts;

/// <summary>
/// How kojid gets onto one OS family: the packages it needs (installed only when missing, so a
/// converged host runs no package manager at all), where kojid then is, and how the farm's CA
/// joins the system trust store (createrepo fetches repos served with it through libcurl,
/// which ignores kojid's own `serverca`).
/// </summary>
public abstract class BuilderInstaller
{
    /// <summary>Where koji-farm keeps what it installs on a host; `down --purge` removes it.</summary>
    public const string Prefix = "/opt/koji-farm";

    public static BuilderInstaller For(HostOs os) => os.Packages switch
    {
        PackageManager.Apt => new AptInstaller(),
        PackageManager.Dnf => new RpmInstaller("dnf"),
        PackageManager.Yum => new RpmInstaller("yum"),
        PackageManager.Swupd => new SwupdInstaller(),
        _ => throw new ArgumentOutOfRangeException(nameof(os)),
    };

    /// <summary>Part of the install hash: a different recipe reinstalls.</summary>
    public abstract string Description { get; }

    /// <summary>True when Koji comes from the stack's Koji source (installed under <see cref="Prefix"/>), not from packages.</summary>
    public abstract bool FromSource { get; }

    /// <summary>The kojid command line, without its arguments.</summary>
    public abstract string KojidCommand { get; }

    public abstract string TrustStoreFile(string stack);

    public abstract string UpdateTrustStore { get; }

    protected abstract IReadOnlyList<string> Packages { get; }

    /// <summary>Prints the installed packages among those given, one per line.</summary>
    protected abstract string ListInstalled(IReadOnlyList<string> packages);

    protected abstract string Install(IReadOnlyList<string> missing);

    /// <summary>Installs the packages that are missing; returns what it did, or nothing.</summary>
    public async Task<string?> EnsurePackagesAsync(RemoteSession session, CancellationToken ct)
    {
        var listed = await session.RunAsync(ListInstalled(Packages), ct: ct);
        var installed = listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var missing = Packages.Where(p => !installed.Contains(p)).ToList();
        if (missing.Count == 0)
            return null;
        var result = await session.RunAsync(Install(missing), timeout: TimeSpan.FromMinutes(20), ct: ct);
        if (!result.Succeeded)
            throw new FarmException($"host {session.Target.Name}: installing packages {string.Join(' ', missing)} failed (exit code {result.ExitCode}); last lines of its output:\n{result.Tail()}");
        return $"installed packages {string.Join(' ', missing)}";
    }

    protected static string Words(IEnumerable<string> words) => string.Join(' ', words);
}

/// <summary>Debian and Ubuntu: Koji is not packaged there, so it comes from the stack's Koji source as for the images.</summary>
public sealed class AptInstaller : BuilderInstaller
{
    public override string Description => "apt+source";
    public override bool FromSource => true;
    public override string KojidCommand => $"env PYTHONPATH={Prefix}/lib /usr/bin/python3 {Prefix}/sbin/kojid";
    public override string TrustStoreFile(string stack) => $"/usr/local/share/ca-certificates/koji-farm-{stack}.crt";
    public override string UpdateTrustStore => "update-ca-certificates >/dev/null";

    // kojid's imports (koji, rpm, requests, dateutil, defusedxml, six, dnf, librepo, libcomps,
    // Cheetah) and createrepo_c; python-multilib ships with the upload (not in Debian).
    protected override IReadOnlyList<string> Packages { get; } =
    [
        "python3", "python3-rpm", "python3-requests", "python3-dateutil", "python3-defusedxml", "python3-six",
        "python3-cheetah", "python3-dnf", "python3-librepo", "python3-libcomps", "createrepo-c", "ca-certificates",
    ];

    protected override string ListInstalled(IReadOnlyList<string> packages) =>
        $"dpkg-query -W -f='${{Package}} ${{Status}}\\n' {Words(packages)} 2>/dev/null | awk '$NF == \"installed\" {{ print $1 }}'";

    protected override string Install(IReadOnlyList<string> missing) =>
        $"export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q --no-install-recommends {Words(missing)}";
}

/// <summary>Fedora, CentOS, RHEL (RHEL and CentOS need EPEL enabled for koji-builder): Koji from the distro's packages.</summary>
public sealed class RpmInstaller(string tool) : BuilderInstaller
{
    public override string Description => tool + "+packages";
    public override bool FromSource => false;
    public override string KojidCommand => "/usr/sbin/kojid";
    public override string TrustStoreFile(string stack) => $"/etc/pki/ca-trust/source/anchors/koji-farm-{stack}.crt";
    public override string UpdateTrustStore => "update-ca-trust extract";
    protected override IReadOnlyList<string> Packages { get; } = ["koji-builder", "createrepo_c"];

    protected override string ListInstalled(IReadOnlyList<string> packages) =>
        $"rpm -q --qf '%{{NAME}}\\n' {Words(packages)} 2>/dev/null | grep -v ' '";

    protected override string Install(IReadOnlyList<string> missing) => $"{tool} install -y {Words(missing)}";
}

/// <summary>Clear Linux: the `koji` bundle carries kojid and createrepo_c.</summary>
public sealed class SwupdInstaller : BuilderInstaller
{
    public override string Description => "swupd+bundles";
    public override bool FromSource => false;
    public override string KojidCommand => "/usr/bin/kojid";
    public override string TrustStoreFile(string stack) => $"/etc/ca-certs/trusted/koji-farm-{stack}.crt";
    public override string UpdateTrustStore => "clrtrust generate >/dev/null";
    protected override IReadOnlyList<string> Packages { get; } = ["koji"];

    protected override string ListInstalled(IReadOnlyList<string> packages) =>
        $"swupd bundle-list 2>/dev/null | sed 's/^ *- *//' | grep -x -e {string.Join(" -e ", packages)}";

    protected override string Install(IReadOnlyList<string> missing) => $"swupd bundle-add {Words(missing)}";
}
