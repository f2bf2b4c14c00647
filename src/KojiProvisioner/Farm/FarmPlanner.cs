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
    private const int Mode0600 = 0b110_000_000, Mode0640 = 0b110_100_000, Mode0644 = 0b110_100_100;
    private static readonly TimeSpan Seconds2 = TimeSpan.FromSeconds(2), Seconds5 = TimeSpan.FromSeconds(5);

    public FarmPlan Plan(Stack stack, FarmCredentials creds, FarmImages images, IReadOnlyList<string> allowedScms)
    {
        var spec = stack.Spec;
        var names = new FarmNames(spec);
        var model = TemplateModel.Base(stack, creds, names);
        var containers = new List<ContainerSpec>();
        var kojiVolume = names.KojiVolume;

        var db = new ContainerSpec(
            names.Container(Roles.Db), Roles.Db, images.Db.Reference,
            Command: [],
            Aliases: ["db"],
            Environment: Env(("POSTGRES_USER", spec.Database.User), ("POSTGRES_DB", spec.Database.Name)),
            Mounts: [new Mount(names.DbVolume, "/var/lib/postgresql/data", false)],
            Ports: spec.Database.Port == 0 ? [] : [new PublishedPort(spec.Database.BindAddress, spec.Database.Port, 5432)],
            Health: new HealthCheck(["CMD", "pg_isready", "-U", spec.Database.User, "-d", spec.Database.Name, "-h", "127.0.0.1"], Seconds2, Seconds5, 30, TimeSpan.FromSeconds(60)),
            RestartPolicy: "unless-stopped",
            Privileged: false,
            DependsOn: [],
            Files: [Secret("/etc/koji-farm/secrets/db-password", creds.DbPassword, Mode0600)]);
        containers.Add(db);

        var ca = new ContainerFile($"{Pki}/ca.crt", Utf8(creds.CaCertificatePem), Mode0644);
        var serverFiles = new[]
        {
            new ContainerFile($"{Pki}/server.crt", Utf8(creds.Server.CertificatePem), Mode0644),
            Secret($"{Pki}/server.key", creds.Server.PrivateKeyPem, Mode0600),
        };

        containers.Add(new ContainerSpec(
            names.Container(Roles.Hub), Roles.Hub, images.Koji.Reference,
            Command: [Roles.Hub],
            Aliases: ["hub"],
            Environment: Env(("KOJI_ADMIN", spec.Admin.Name)),
            Mounts: [new Mount(kojiVolume, "/mnt/koji", false)],
            Ports: [new PublishedPort(spec.Hub.BindAddress, spec.Hub.Port, 443)],
            Health: KojiHealth(spec, Roles.Hub),
            RestartPolicy: "unless-stopped",
            Privileged: false,
            DependsOn: [db.Name],
            Files:
            [
                // Readable by the httpd user: at 0600 root the hub silently runs on defaults.
                Secret("/etc/koji-hub/hub.conf", renderer.Render("hub/hub.conf.sbn", model), Mode0640, gid: WwwData),
                Text("/etc/koji-farm/httpd/kojihub.conf", renderer.Render("hub/kojihub-httpd.conf.sbn", model)),
                ca, .. serverFiles,
            ]));
        var hubName = names.Container(Roles.Hub);

        if (spec.Web.Enabled)
        {
            containers.Add(new ContainerSpec(
                names.Container(Roles.Web), Roles.Web, images.Koji.Reference,
                Command: [Roles.Web],
                Aliases: ["web"],
                Environment: Env(),
                Mounts: [new Mount(kojiVolume, "/mnt/koji", true)],
                Ports: [new PublishedPort(spec.Web.BindAddress, spec.Web.Port, 443)],
                Health: KojiHealth(spec, Roles.Web),
                RestartPolicy: "unless-stopped",
                Privileged: false,
                DependsOn: [hubName],
                Files:
                [
                    Secret("/etc/kojiweb/web.conf", renderer.Render("web/web.conf.sbn", model), Mode0640, gid: WwwData),
                    Text("/etc/koji-farm/httpd/kojiweb.conf", renderer.Render("web/kojiweb-httpd.conf.sbn", model)),
                    ca, .. serverFiles,
                    Secret($"{Pki}/client.pem", creds.Client(Identities.Web).CombinedPem, Mode0640, gid: WwwData),
                ]));
        }

        if (spec.Kojira.Enabled)
        {
            containers.Add(new ContainerSpec(
                names.Container(Roles.Kojira), Roles.Kojira, images.Koji.Reference,
                Command: [Roles.Kojira],
                Aliases: ["kojira"],
                Environment: Env(),
                Mounts: [new Mount(kojiVolume, "/mnt/koji", false)],
                Ports: [],
                Health: KojiHealth(spec, Roles.Kojira),
                RestartPolicy: "unless-stopped",
                Privileged: false,
                DependsOn: [hubName],
                Files:
                [
                    Text("/etc/kojira/kojira.conf", renderer.Render("kojira/kojira.conf.sbn", model)),
                    ca,
                    Secret($"{Pki}/client.pem", creds.Client(Identities.Kojira).CombinedPem, Mode0600),
                ]));
        }

        var mockVolumes = new List<VolumeSpec>();
        for (var i = 1; i <= spec.Builders.Count; i++)
        {
            var name = names.Builder(i);
            var mock = spec.Builders.Mock;
            var mockVolume = $"koji-farm-{name}-mock";
            if (mock)
                mockVolumes.Add(new VolumeSpec(mockVolume, $"/var/lib/mock of {name}: its buildroots"));
            var builderModel = TemplateModel.WithBuilder(model, name, names.InternalHubUrl, names.InternalFilesUrl,
                $"{Pki}/client.pem", $"{Pki}/ca.crt", spec.Builders.MaxJobs, allowedScms);
            List<ContainerFile> files =
            [
                Text("/etc/kojid/kojid.conf", renderer.Render("builder/kojid.conf.sbn", builderModel)),
                ca,
                Secret($"{Pki}/client.pem", creds.Client(name).CombinedPem, Mode0600),
            ];
            // mock's dnf fetches the build repo from topurl over HTTPS and trusts only the system
            // store: the entrypoint adds this file to it.
            if (mock)
                files.Add(new ContainerFile("/usr/local/share/ca-certificates/koji-farm-ca.crt", ca.Content, Mode0644));
            containers.Add(new ContainerSpec(
                name, Roles.Builder, mock ? (images.Builder ?? images.Koji).Reference : images.Koji.Reference,
                Command: [Roles.Builder],
                Aliases: [],
                Environment: Env(),
                Mounts: mock
                    ? [new Mount(kojiVolume, "/mnt/koji", true), new Mount(mockVolume, "/var/lib/mock", false)]
                    : [new Mount(kojiVolume, "/mnt/koji", true)],
                Ports: [],
                Health: KojiHealth(spec, Roles.Builder),
                RestartPolicy: "unless-stopped",
                Privileged: false,
                DependsOn: [hubName],
                Files: files)
            {
                // mock mounts proc, sys and tmpfs in its chroot; --privileged is more than that (and cannot
                // even start on hosts whose own capability set is restricted).
                CapAdd = mock ? ["SYS_ADMIN"] : [],
            });
        }

        var hashed = containers.Select(c => c with { ConfigHash = ConfigHash.Of(c) }).ToList();
        // In build order: the builder image is FROM the Koji image.
        var images_ = images.Builder is null ? new[] { images.Db, images.Koji } : [images.Db, images.Koji, images.Builder];
        return new FarmPlan(
            spec.Name,
            new NetworkSpec(names.Network),
            [new VolumeSpec(names.DbVolume, "PostgreSQL data"), new VolumeSpec(names.KojiVolume, "/mnt/koji: builds, repos, logs"), .. mockVolumes],
            images_,
            hashed) { Labels = FarmLabels.Of(stack) };
    }

    /// <summary>The admin's koji client profile, pointing at files on this machine.</summary>
    public string ClientProfile(Stack stack, FarmCredentials creds, string certPath, string caPath)
    {
        var model = TemplateModel.Base(stack, creds, new FarmNames(stack.Spec));
        var withClient = new Dictionary<string, object?>(model)
        {
            ["client"] = new Dictionary<string, object?> { ["cert"] = certPath, ["ca"] = caPath },
        };
        return renderer.Render("client/profile.conf.sbn", withClient);
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
