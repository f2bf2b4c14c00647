using System.Text;
using KojiProvisioner.Config;
using KojiProvisioner.Templates;

namespace KojiProvisioner.Farm;

/// <summary>The images a plan runs: one for every Koji role, one for PostgreSQL, and the Koji image
/// with mock for builders that build RPMs.</summary>
public sealed record FarmImages(ImageSpec Koji, ImageSpec Db, ImageSpec? Builder = null);

/// <summary>
/// Turns a validated stack into the farm's resources. No engine, no network: the same stack,
/// credentials and images always give the same plan, so preview and up agree.
/// </summary>
public sealed class FarmPlanner(TemplateRenderer renderer)
{
    private const int WwwData = 33; // Debian's and Fedora's apache uid/gid for the hub's files
    private const string Pki = "/etc/koji-farm/pki";

    /// <summary>Where the hub's and the web's httpd read the CRL (SSLCARevocationFile).</summary>
    public const string CrlPath = Pki + "/crl.pem";
    private const int Mode0600 = (int)FileModes.Private, Mode0640 = (int)FileModes.GroupReadable, Mode0644 = (int)FileModes.Public;
    private static readonly TimeSpan Seconds2 = TimeSpan.FromSeconds(2), Seconds5 = TimeSpan.FromSeconds(5);

    public FarmPlan Plan(Stack stack, FarmCredentials creds, FarmImages images, IReadOnlyList<string> allowedScms)
    {
        var spec = stack.Spec;
        var names = new FarmNames(spec);
        var parts = new Parts(spec, names, TemplateModel.Base(stack, creds, names), creds, images.Koji.Reference, images.Builder?.Reference);
        var external = spec.Database.External;
        var containers = new List<ContainerSpec>();
        if (!external)
            containers.Add(Db(spec, names, creds, images.Db));
        containers.Add(Hub(parts));
        if (spec.Web.Enabled)
            containers.Add(Web(parts));
        if (spec.Kojira.Enabled)
            containers.Add(Kojira(parts));
        for (var i = 1; i <= spec.Builders.Count; i++)
            containers.Add(Builder(parts, names.Builder(i), allowedScms));

        // A builder that runs mock keeps its buildroots on a volume of its own.
        var mockVolumes = spec.Builders.Mock
            ? Enumerable.Range(1, spec.Builders.Count).Select(i => new VolumeSpec(MockVolume(names.Builder(i)), $"/var/lib/mock of {names.Builder(i)}: its buildroots"))
            : [];
        // In build order: the builder image is FROM the Koji image.
        ImageSpec[] planImages = [.. external ? [] : new[] { images.Db }, images.Koji, .. images.Builder is null ? [] : new[] { images.Builder }];
        VolumeSpec[] dbVolume = external ? [] : [new VolumeSpec(names.DbVolume, "PostgreSQL data")];
        return new FarmPlan(
            spec.Name,
            new NetworkSpec(names.Network),
            [.. dbVolume, .. spec.Storage.HostPath is null ? [KojiVolume(spec, names)] : Array.Empty<VolumeSpec>(), .. mockVolumes],
            planImages,
            containers.Select(c => c with { ConfigHash = ConfigHash.Of(c) }).ToList()) { Labels = FarmLabels.Of(stack) };
    }

    private static VolumeSpec KojiVolume(StackSpec spec, FarmNames names) =>
        spec.Storage.VolumeOptions.Count == 0
            ? new VolumeSpec(names.KojiVolume, "/mnt/koji: builds, repos, logs")
            : new VolumeSpec(names.KojiVolume, $"/mnt/koji on {spec.Storage.VolumeOptions["type"]} {spec.Storage.VolumeOptions["device"]} (storage.volumeOptions)")
            {
                DriverOptions = new Dictionary<string, string>(spec.Storage.VolumeOptions, StringComparer.Ordinal),
            };

    /// <summary>What every Koji container of one plan shares.</summary>
    private sealed record Parts(StackSpec Spec, FarmNames Names, IReadOnlyDictionary<string, object?> Model, FarmCredentials Creds, string Image, string? BuilderImage)
    {
        public ContainerFile Ca => new($"{Pki}/ca.crt", Utf8(Creds.CaCertificatePem), Mode0644);

        public ContainerFile[] Server =>
        [
            new($"{Pki}/server.crt", Utf8(Creds.Server.CertificatePem), Mode0644),
            Secret($"{Pki}/server.key", Creds.Server.PrivateKeyPem, Mode0600),
        ];

        /// <summary>The CRL httpd checks client certificates against; `user revoke` copies a new one in (see <see cref="ContainerFile.Live"/>).</summary>
        public ContainerFile Crl => new(CrlPath, Utf8(Creds.CrlPem), Mode0644) { Live = true };

        public ContainerFile ClientPem(string identity, int mode, int gid = 0) => Secret($"{Pki}/client.pem", Creds.Client(identity).CombinedPem, mode, gid);
    }

    private static ContainerSpec Db(StackSpec spec, FarmNames names, FarmCredentials creds, ImageSpec image) => new(
        names.Container(Roles.Db), Roles.Db, image.Reference,
        Command: [],
        Aliases: [Roles.Db],
        Environment: Env(("POSTGRES_USER", spec.Database.User), ("POSTGRES_DB", spec.Database.Name)),
        Mounts: [new Mount(names.DbVolume, "/var/lib/postgresql/data", false)],
        Ports: spec.Database.Port == 0 ? [] : [new PublishedPort(spec.Database.BindAddress, spec.Database.Port, PublishedPort.Postgres)],
        Health: new HealthCheck(["CMD", "pg_isready", "-U", spec.Database.User, "-d", spec.Database.Name, "-h", "127.0.0.1"], Seconds2, Seconds5, 30, TimeSpan.FromSeconds(60)),
        RestartPolicy: RestartPolicy,
        Privileged: false,
        DependsOn: [],
        Files: [Secret("/etc/koji-farm/secrets/db-password", creds.DbPassword, Mode0600)]);

    private ContainerSpec Hub(Parts p)
    {
        var db = p.Spec.Database;
        var hub = Koji(p, p.Names.Container(Roles.Hub), Roles.Hub,
            aliases: [Roles.Hub],
            environment: Env(("KOJI_ADMIN", p.Spec.Admin.Name)),
            kojiReadOnly: false,
            ports: [new PublishedPort(p.Spec.Hub.BindAddress, p.Spec.Hub.Port, PublishedPort.Https)],
            dependsOn: db.External ? null : p.Names.Container(Roles.Db),
            files:
            [
                // Readable by the httpd user: at 0600 root the hub silently runs on defaults.
                Secret("/etc/koji-hub/hub.conf", renderer.Render("hub/hub.conf.sbn", p.Model), Mode0640, gid: WwwData),
                Text("/etc/koji-farm/httpd/kojihub.conf", renderer.Render("hub/kojihub-httpd.conf.sbn", p.Model)),
                p.Ca, .. p.Server, p.Crl,
            ]);
        if (!db.External)
            return hub;
        // hub.conf has no key for TLS to the database: Koji passes DBHost/DBPort/DBName/DBUser/DBPass
        // to psycopg2 and nothing else, so libpq's own variables carry sslmode and the CA, to the hub's
        // httpd and to its bootstrap (which loads or upgrades the schema) alike.
        var environment = new Dictionary<string, string>(hub.Environment, StringComparer.Ordinal) { ["PGSSLMODE"] = db.SslMode! };
        var files = hub.Files.ToList();
        if (db.CaFile is { } ca)
        {
            environment["PGSSLROOTCERT"] = ExternalDatabaseCa;
            files.Add(new ContainerFile(ExternalDatabaseCa, File.ReadAllBytes(ca), Mode0644));
        }
        return hub with { Environment = environment, Files = files, DependsOn = [] };
    }

    /// <summary>Where the hub finds the CA of an external database's server certificate (PGSSLROOTCERT).</summary>
    public const string ExternalDatabaseCa = Pki + "/database-ca.crt";

    private ContainerSpec Web(Parts p) => Koji(p, p.Names.Container(Roles.Web), Roles.Web,
        aliases: [Roles.Web],
        kojiReadOnly: true,
        ports: [new PublishedPort(p.Spec.Web.BindAddress, p.Spec.Web.Port, PublishedPort.Https)],
        files:
        [
            Secret("/etc/kojiweb/web.conf", renderer.Render("web/web.conf.sbn", p.Model), Mode0640, gid: WwwData),
            Text("/etc/koji-farm/httpd/kojiweb.conf", renderer.Render("web/kojiweb-httpd.conf.sbn", p.Model)),
            p.Ca, .. p.Server, p.Crl,
            p.ClientPem(Identities.Web, Mode0640, gid: WwwData),
        ]);

    private ContainerSpec Kojira(Parts p) => Koji(p, p.Names.Container(Roles.Kojira), Roles.Kojira,
        aliases: [Roles.Kojira],
        kojiReadOnly: false,
        files:
        [
            Text("/etc/kojira/kojira.conf", renderer.Render("kojira/kojira.conf.sbn", p.Model)),
            p.Ca,
            p.ClientPem(Identities.Kojira, Mode0600),
        ]);

    private ContainerSpec Builder(Parts p, string name, IReadOnlyList<string> allowedScms)
    {
        var model = TemplateModel.WithBuilder(p.Model, name, p.Names.InternalHubUrl, p.Names.InternalFilesUrl,
            $"{Pki}/client.pem", $"{Pki}/ca.crt", p.Spec.Builders.MaxJobs, allowedScms);
        var mock = p.Spec.Builders.Mock;
        List<ContainerFile> files =
        [
            Text("/etc/kojid/kojid.conf", renderer.Render("builder/kojid.conf.sbn", model)),
            p.Ca,
            p.ClientPem(name, Mode0600),
        ];
        // mock's dnf fetches the build repo from topurl over HTTPS and trusts only the system
        // store: the entrypoint adds this file to it.
        if (mock)
            files.Add(new ContainerFile("/usr/local/share/ca-certificates/koji-farm-ca.crt", p.Ca.Content, Mode0644));
        var builder = Koji(p, name, Roles.Builder, kojiReadOnly: true, files: files);
        if (!mock)
            return builder;
        return builder with
        {
            Image = p.BuilderImage ?? p.Image,
            Mounts = [.. builder.Mounts, new Mount(MockVolume(name), "/var/lib/mock", false)],
            // mock mounts proc, sys and tmpfs in its chroot; --privileged is more than that (and cannot
            // even start on hosts whose own capability set is restricted).
            CapAdd = ["SYS_ADMIN"],
        };
    }

    private static string MockVolume(string builder) => $"koji-farm-{builder}-mock";

    /// <summary>A container of the Koji image: its command is its role, it shares /mnt/koji and waits for the hub (the hub for the db).</summary>
    private static ContainerSpec Koji(Parts p, string name, string role, IReadOnlyList<ContainerFile> files, bool kojiReadOnly,
        IReadOnlyList<string>? aliases = null, IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<PublishedPort>? ports = null, string? dependsOn = null) => new(
        name, role, p.Image,
        Command: [role],
        Aliases: aliases ?? [],
        Environment: environment ?? Env(),
        Mounts: [new Mount(p.Names.MntKoji, "/mnt/koji", kojiReadOnly)],
        Ports: ports ?? [],
        Health: KojiHealth(p.Spec, role),
        RestartPolicy: RestartPolicy,
        Privileged: false,
        DependsOn: [dependsOn ?? p.Names.Container(Roles.Hub)],
        Files: files);

    private const string RestartPolicy = "unless-stopped";

    /// <summary>A koji client profile named after the stack (the admin's, or a person's from `user add`), pointing at files on this machine.</summary>
    public string ClientProfile(Stack stack, string certPath, string caPath)
    {
        var names = new FarmNames(stack.Spec);
        return renderer.Render("client/profile.conf.sbn", new Dictionary<string, object?>
        {
            ["stack"] = new Dictionary<string, object?> { ["name"] = stack.Spec.Name },
            ["hub"] = new Dictionary<string, object?> { ["public_url"] = names.PublicHubUrl, ["public_files_url"] = names.PublicFilesUrl },
            ["web"] = new Dictionary<string, object?> { ["public_url"] = names.PublicWebUrl },
            ["client"] = new Dictionary<string, object?> { ["cert"] = certPath, ["ca"] = caPath },
        });
    }

    /// <summary>kojid.conf for a builder outside the engine (a remote host).</summary>
    public string RemoteBuilderConfig(Stack stack, FarmCredentials creds, RemoteBuilderSpec remote, string hubUrl, string filesUrl,
        string certPath, string caPath, IReadOnlyList<string> allowedScms)
    {
        var model = TemplateModel.Base(stack, creds, new FarmNames(stack.Spec));
        return renderer.Render("builder/kojid.conf.sbn",
            TemplateModel.WithBuilder(model, remote.Name, hubUrl, filesUrl, certPath, caPath, remote.MaxJobs, allowedScms));
    }

    /// <summary>
    /// Each check starts Python and the koji library (~0.4 s of CPU): the hub, which everything waits
    /// on, is checked every 5 s, the rest every 10 s, so checks do not load a small host. kojid
    /// takes no task while the load average is over 4 per CPU.
    /// </summary>
    private static HealthCheck KojiHealth(StackSpec spec, string role) =>
        new(["CMD", "koji-farm-health", role],
            spec.Health.Interval > 0 ? TimeSpan.FromSeconds(spec.Health.Interval) : role == Roles.Hub ? Seconds5 : TimeSpan.FromSeconds(10),
            TimeSpan.FromSeconds(20), 3, TimeSpan.FromSeconds(120));

    private static IReadOnlyDictionary<string, string> Env(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static ContainerFile Text(string path, string content) => new(path, Utf8(content), Mode0644);

    private static ContainerFile Secret(string path, string content, int mode, int gid = 0) =>
        new(path, Utf8(content), mode, 0, gid, Secret: true);
}
