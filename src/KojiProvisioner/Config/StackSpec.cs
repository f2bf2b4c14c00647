namespace KojiProvisioner.Config;

// The stack file, as bound from configuration. Property names are the YAML keys (camelCase);
// every property has a default so a small stack file stays small. Validation is in StackValidator.

/// <summary>One company's Koji farm: everything `koji-farm` needs to stand it up.</summary>
public sealed class StackSpec
{
    /// <summary>The stack's name; prefixes every container, network and volume.</summary>
    public string Name { get; set; } = "";
    /// <summary>The company: the O= of every certificate.</summary>
    public string Organization { get; set; } = "Koji Farm";
    /// <summary>Where the CA, keys and passwords live. Relative paths are relative to the stack file.</summary>
    public string? StateDir { get; set; }
    public KojiSourceSpec Koji { get; set; } = new();
    public HubSpec Hub { get; set; } = new();
    public DatabaseSpec Database { get; set; } = new();
    /// <summary>Where /mnt/koji lives: the farm's own volume, or storage the company provides.</summary>
    public StorageSpec Storage { get; set; } = new();
    public WebSpec Web { get; set; } = new();
    public KojiraSpec Kojira { get; set; } = new();
    public BuildersSpec Builders { get; set; } = new();
    public AdminSpec Admin { get; set; } = new();
    public HealthSpec Health { get; set; } = new();
    public PkiSpec Pki { get; set; } = new();
    /// <summary>A bootstrapped buildroot for an OS line no RPM repository serves (offline, or not yet published).</summary>
    public BuildrootSpec Buildroot { get; set; } = new();
    /// <summary>Optional content file (tags, targets, packages) applied at the end of `up`.</summary>
    public string? Content { get; set; }
}

public sealed class KojiSourceSpec
{
    /// <summary>`source`: Koji from a source tree or release tarball on a Debian base; `packages`: the distro's Koji on Fedora.</summary>
    public string From { get; set; } = "source";
    /// <summary>The Koji source tree or tarball (from: source). Defaults to $KOJI_SOURCE.</summary>
    public string? Path { get; set; }
    /// <summary>The image the farm's images build FROM. Defaults per `from`.</summary>
    public string? BaseImage { get; set; }
}

public sealed class HubSpec
{
    /// <summary>The name people and tools outside the farm use for the hub; goes into its certificate.</summary>
    public string PublicHost { get; set; } = "localhost";
    public string BindAddress { get; set; } = "127.0.0.1";
    [Bounds(0, 65535, Note = "0 picks a free port")]
    public int Port { get; set; } = 8443;
    /// <summary>Seconds between the hub's scheduler runs (hub.conf RunInterval). Koji's default is 60.</summary>
    [Bounds(1, 3600, Note = "seconds")]
    public int RunInterval { get; set; } = 60;
    public bool LoginCreatesUser { get; set; }
    /// <summary>Extra hub.conf keys, checked against the keys the hub reads.</summary>
    public Dictionary<string, string> Settings { get; set; } = new();
    /// <summary>hub.conf [policy]: policy name (tag, build_from_srpm, ...) → rule lines in Koji's syntax, checked by <see cref="HubPolicy"/>.</summary>
    public Dictionary<string, List<string>> Policy { get; set; } = new();
}

public sealed class DatabaseSpec
{
    /// <summary>libpq's sslmode values (database.sslMode).</summary>
    public static readonly IReadOnlyList<string> SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    public string Name { get; set; } = "koji";
    public string User { get; set; } = "koji";
    /// <summary>
    /// The farm's own database container: host port to publish PostgreSQL on, 0 keeps it inside the
    /// farm's network. An external database (<see cref="Host"/>): its port, 0 for PostgreSQL's 5432.
    /// </summary>
    [Bounds(0, 65535, Note = "0 keeps it unpublished, or 5432 with database.host")]
    public int Port { get; set; }
    public string BindAddress { get; set; } = "127.0.0.1";
    /// <summary>
    /// The company's PostgreSQL server (a name or address the hub container and this machine both
    /// reach). Set: no database container; the hub uses this one, `down --purge` never drops it.
    /// </summary>
    public string? Host { get; set; }
    /// <summary>A file holding the external database user's password (never the password itself in the stack).</summary>
    public string? PasswordFile { get; set; }
    /// <summary>libpq's sslmode for the external database; verify-full (the default) and verify-ca need <see cref="CaFile"/>.</summary>
    public string? SslMode { get; set; }
    /// <summary>The CA certificate (PEM) that signed the external database server's certificate.</summary>
    public string? CaFile { get; set; }

    /// <summary>Whether the database lives outside the farm (validated spec).</summary>
    public bool External => !string.IsNullOrWhiteSpace(Host);

    /// <summary>The external database's port (5432 when <see cref="Port"/> is 0).</summary>
    public int ExternalPort() => Port == 0 ? 5432 : Port;
}

/// <summary>/mnt/koji (Koji's topdir): builds, repos, logs; shared by the hub, kojira, the web and the builders.</summary>
public sealed class StorageSpec
{
    /// <summary>
    /// A folder on the Docker host (e.g. an NFS mount the host already has) bind-mounted as /mnt/koji
    /// instead of the farm's volume. The hub lays out Koji's folders in it and gives them to the
    /// httpd user (uid 33); `down --purge` never deletes it.
    /// </summary>
    public string? HostPath { get; set; }
    /// <summary>
    /// Options of Docker's `local` volume driver for the farm's /mnt/koji volume, e.g. type: nfs,
    /// o: addr=nfs.example.com,rw,nfsvers=4, device: :/export/koji: the volume mounts the company's
    /// export. `down --purge` removes the volume (the mount), never the export's files.
    /// </summary>
    public Dictionary<string, string> VolumeOptions { get; set; } = new();
}

public sealed class WebSpec
{
    public bool Enabled { get; set; } = true;
    public string BindAddress { get; set; } = "127.0.0.1";
    [Bounds(0, 65535, Note = "0 picks a free port")]
    public int Port { get; set; } = 8444;
    public string SiteName { get; set; } = "koji";
}

public sealed class KojiraSpec
{
    public bool Enabled { get; set; } = true;
    [Bounds(1, 3600, Note = "seconds")]
    public int SleepTime { get; set; } = 15;
}

public sealed class BuildersSpec
{
    /// <summary>The Koji channel that hands out build tasks (mock's work).</summary>
    public const string BuildChannel = "default";
    /// <summary>The Koji channel of newRepo (createrepo) tasks, which every builder can run.</summary>
    public const string CreaterepoChannel = "createrepo";

    /// <summary>Whether any builder, local or remote, of the validated spec takes build tasks.</summary>
    public bool AnyTakesBuildTasks() =>
        (Count > 0 && Channels.Contains(BuildChannel)) || Remote.Any(r => r.Channels.Contains(BuildChannel));

    /// <summary>
    /// Job slots (kojid's maxjobs) of the validated spec's builders that take build tasks, local and
    /// remote. A build holds one slot for its parent task while it waits on its children, which need
    /// slots of their own: `flock build` keeps half of them for the children.
    /// </summary>
    public int BuildJobSlots() =>
        (Channels.Contains(BuildChannel) ? Count * MaxJobs : 0) + Remote.Where(r => r.Channels.Contains(BuildChannel)).Sum(r => r.MaxJobs);

    [Bounds(0, 64, Note = "more builders go on other machines: builders.remote")]
    public int Count { get; set; } = 1;
    public List<string> Arches { get; set; } = new();
    public List<string> Channels { get; set; } = new();
    [Bounds(0, 1000, MinExclusive = true)]
    public double Capacity { get; set; } = 2.0;
    [Bounds(1, 1000)]
    public int MaxJobs { get; set; } = 5;
    /// <summary>kojid.conf `sleeptime`: seconds between kojid's polls of the hub for work (a CI farm wants 1).</summary>
    [Bounds(1, 3600, Note = "seconds")]
    public int SleepTime { get; set; } = 5;
    /// <summary>
    /// The local builders run mock and take build tasks: they get mock in their image, CAP_SYS_ADMIN
    /// (mock mounts /proc and tmpfs in its chroot; full privilege is neither needed nor safer) and a
    /// /var/lib/mock volume. Without it builders only run createrepo (channel `createrepo`).
    /// </summary>
    public bool Mock { get; set; }
    /// <summary>A folder holding mock's release tarball (mock-*.tar.gz) and templated-dictionary-*.tar.gz,
    /// for koji.from: source. Defaults to $MOCK_SOURCE.</summary>
    public string? MockSource { get; set; }
    /// <summary>kojid allowed_scms entries (host:/path/*:false), added to those of the content file's Flock.</summary>
    public List<string> AllowedScms { get; set; } = new();
    /// <summary>Builders on other machines, reached over SSH.</summary>
    public List<RemoteBuilderSpec> Remote { get; set; } = new();
}

public sealed class RemoteBuilderSpec
{
    /// <summary>The host name registered in Koji (and the CN of its certificate).</summary>
    public string Name { get; set; } = "";
    public string Address { get; set; } = "";
    [Bounds(1, 65535)]
    public int Port { get; set; } = 22;
    public string User { get; set; } = "root";
    /// <summary>Path of the SSH private key file.</summary>
    public string? PrivateKey { get; set; }
    /// <summary>Name of an environment variable holding the private key's path.</summary>
    public string? PrivateKeyEnv { get; set; }
    /// <summary>Expected host key fingerprint (SHA256:...). Empty: trust on first use, recorded in the state folder.</summary>
    public string? HostKey { get; set; }
    public List<string> Arches { get; set; } = new();
    public List<string> Channels { get; set; } = new();
    [Bounds(0, 1000, MinExclusive = true)]
    public double Capacity { get; set; } = 2.0;
    [Bounds(1, 1000)]
    public int MaxJobs { get; set; } = 5;
    /// <summary>The hub URL as this host reaches it (defaults to the hub's public URL).</summary>
    public string? HubUrl { get; set; }
}

/// <summary>The containers' own health checks (Docker runs them; `status` and `ls` report them).</summary>
public sealed class HealthSpec
{
    /// <summary>
    /// Seconds between health checks of the Koji containers; 0 keeps koji-farm's defaults (hub 5,
    /// others 10). Each check costs ~0.4 s of CPU; `up` does not wait an interval for dependents,
    /// only for the engine's first report of the last containers.
    /// </summary>
    [Bounds(0, 3600, Note = "seconds; 0 keeps koji-farm's defaults")]
    public int Interval { get; set; }
}

/// <summary>The farm's certificate authority and certificates.</summary>
public sealed class PkiSpec
{
    /// <summary>
    /// `rsa` (3072-bit CA, 2048-bit leaves) or `ecdsa` (P-256): the kind of key of a new CA and of
    /// every certificate. A change reissues the server and client certificates; an existing CA
    /// keeps its key until it is renewed (delete ca.crt and ca.key to replace it now).
    /// </summary>
    public string KeyAlgorithm { get; set; } = "rsa";
}

/// <summary>A buildroot koji-farm makes for an OS line that no RPM repository serves.</summary>
public sealed class BuildrootSpec
{
    /// <summary>`debian-12`: a Debian 12 tree wrapped in one RPM, imported into Koji and tagged; empty: none
    /// (the OS lines' external repos give their buildroots).</summary>
    public string Bootstrap { get; set; } = "";
    /// <summary>The base tags the buildroot RPM is tagged into (their build groups name `debian-buildroot`).</summary>
    public List<string> Tags { get; set; } = new();
}

public sealed class AdminSpec
{
    public string Name { get; set; } = "kojiadmin";
}

/// <summary>
/// The values a number of the stack may take. Every int or double property of the spec carries one
/// (a test holds it to that): the binder names the range when a value is no number, the validator
/// refuses what lies outside it (nan and infinities too) before anything else looks at the spec.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class BoundsAttribute(double min, double max) : Attribute
{
    public double Min { get; } = min;
    public double Max { get; } = max;
    /// <summary>The value must be more than <see cref="Min"/> (a capacity of 0 takes no task).</summary>
    public bool MinExclusive { get; init; }
    /// <summary>What the range means, e.g. "0 picks a free port".</summary>
    public string? Note { get; init; }

    /// <summary>Whether <paramref name="value"/> lies in the range; never for NaN.</summary>
    public bool Contains(double value) => (MinExclusive ? value > Min : value >= Min) && value <= Max;

    /// <summary>The range in words: "from 0 to 65535 (0 picks a free port)".</summary>
    public string Text
    {
        get
        {
            var range = MinExclusive
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"more than {Min} and at most {Max}")
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"from {Min} to {Max}");
            return Note is null ? range : $"{range} ({Note})";
        }
    }
}

/// <summary>
/// The spec's JSON shape, generated at build time: validation copies the bound spec through it
/// (no reflection-emitted serializer to build on every command's start).
/// </summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(StackSpec))]
internal sealed partial class StackSpecJson : System.Text.Json.Serialization.JsonSerializerContext;
