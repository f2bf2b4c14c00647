using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.IntegrationTests.Support;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// A farm on the company's PostgreSQL (database.host): a server this test starts outside any farm,
/// with TLS from a test CA (sslMode verify-full). A database that cannot be used stops `up` with one
/// line before any container is made; a good one carries a working Koji, outlives `down --purge`,
/// and the next `up` finds its data.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class ExternalDatabaseTests(ITestOutputHelper output)
{
    private const string Content = """
        package_owner: kojiadmin
        tags:
          - name: ext-base
            arches: [x86_64]
            packages: [bash, make]
          - name: ext-build
            arches: [x86_64]
            inheritance: [ext-base]
          - name: ext-candidate
        targets:
          - name: ext
            build_tag: ext-build
            dest_tag: ext-candidate
        """;

    [SkippableFact]
    public async Task A_farm_on_a_company_PostgreSQL_over_TLS_survives_down_purge_and_a_bad_database_stops_up_before_any_container()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var pg = await steps.Run("a PostgreSQL server with TLS, outside any farm", () => CompanyPostgres.StartAsync());
        // One statement a call: psql -c runs several in one transaction, which CREATE DATABASE refuses.
        await pg.PsqlAsync("postgres", "CREATE DATABASE shop OWNER koji");
        await pg.PsqlAsync("postgres", "CREATE DATABASE otherfarm OWNER koji");
        await pg.PsqlAsync("shop", "CREATE TABLE orders (id int); GRANT ALL ON orders TO koji;");
        await pg.PsqlAsync("postgres", "CREATE DATABASE locked OWNER koji");
        // Another farm's database, its tables the koji user's as that farm's up would have made them.
        await pg.PsqlAsync("otherfarm", "CREATE TABLE users (id int); CREATE TABLE koji_farm_owner (fingerprint text, stack text, claimed_at timestamptz DEFAULT now()); " +
            "INSERT INTO koji_farm_owner (fingerprint, stack) VALUES ('00ff00ff00ff00ff00ff', 'someone-else'); " +
            "ALTER TABLE users OWNER TO koji; ALTER TABLE koji_farm_owner OWNER TO koji;");
        // A table database.user may not read.
        await pg.PsqlAsync("locked", "CREATE TABLE koji_farm_owner (fingerprint text, stack text, claimed_at timestamptz DEFAULT now()); REVOKE ALL ON koji_farm_owner FROM PUBLIC;");

        // Each refusal: its exit code, one line on stderr, and nothing of the stack on the engine.
        foreach (var (what, yaml, code, message) in new[]
        {
            ("unreachable", pg.DatabaseYaml(port: pg.DeadPort), 1, "does not answer"),
            ("wrong password", pg.DatabaseYaml(passwordFile: "wrong-password"), 2, "refuses the password from database.passwordFile"),
            ("a non-Koji schema", pg.DatabaseYaml(name: "shop"), 2, "holds 1 table(s) and no Koji schema"),
            ("another farm's Koji", pg.DatabaseYaml(name: "otherfarm"), 2, "holds the Koji of another farm (stack 'someone-else'"),
            ("a table the user may not read", pg.DatabaseYaml(name: "locked"), 2, "cannot read what it holds (permission denied for table koji_farm_owner)"),
        })
        {
            await using var bad = new TestStack("extbad", builders: 0, extraYaml: yaml);
            pg.CopyFilesTo(bad.Directory);
            var refused = await steps.Run($"up on {what}", () => bad.RunAsync("up"));
            Assert.True(refused.ExitCode == code, refused.ToString());
            Assert.Contains(message, refused.Error);
            Assert.Contains("nothing was changed", refused.Error);
            Assert.Single(refused.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Equal("", await EngineObjectsAsync(bad.Name));
        }

        // /mnt/koji on the company's storage too: a folder of this machine, as an NFS mount would be.
        var mntKoji = Directory.CreateTempSubdirectory("koji-farm-mnt-").FullName;
        using var removeMnt = new Cleanup(() => Directory.Delete(mntKoji, recursive: true));
        await using var stack = new TestStack("extdb", builders: 1,
            extraYaml: pg.DatabaseYaml() + $"storage:\n  hostPath: {mntKoji}\ncontent: content.yaml\n");
        pg.CopyFilesTo(stack.Directory);
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "content.yaml"), Content);

        var preview = await steps.Run("preview names the external database", () => stack.RunAsync("preview"));
        Assert.True(preview.ExitCode == 0, preview.ToString());
        Assert.Matches($@"claim\s+database\s+database\s+koji\s+as\s+koji\s+on\s+{System.Text.RegularExpressions.Regex.Escape(pg.Host)}:{pg.Port}\s+answered\s+\(sslMode\s+verify-full\s+with\s+database\.caFile\),\s+empty", preview.Out);
        Assert.DoesNotContain($"{stack.Name}-db", preview.Out);
        Assert.DoesNotContain($"koji-farm-{stack.Name}-mnt-koji", preview.Out);

        var up = await steps.Run("up with database.host", () => stack.RunAsync("up"));
        Assert.True(up.ExitCode == 0, up.ToString());
        var containers = await Shell.RunAsync("docker", "ps", "-a", "--filter", $"label=koji-farm.stack={stack.Name}", "--format", "{{.Names}}");
        Assert.DoesNotContain($"{stack.Name}-db", containers.Stdout);
        Assert.Contains($"{stack.Name}-hub", containers.Stdout);
        int repo;
        using (var hub = stack.AdminClient())
        {
            await steps.Run("the builder is ready", () => KojiWait.UntilAsync(TimeSpan.FromMinutes(5), async () =>
                (await KojiWait.HostsAsync(hub)).TryGetValue($"{stack.Name}-builder-1", out var h) && h["ready"] is true, "builder ready"));
            repo = await steps.Run("a READY repo for the build tag", () => KojiWait.RepoReadyAsync(hub, "ext-build", TimeSpan.FromMinutes(6)));
        }

        // The hub's sessions reach the server over TLS (PGSSLMODE verify-full with the test CA).
        var sessions = await pg.PsqlAsync("koji", "SELECT count(*) || ' ' || bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) " +
            "WHERE a.usename = 'koji' AND a.datname = 'koji' AND a.pid <> pg_backend_pid()");
        Assert.Matches(@"^[1-9]\d* true$", sessions);

        // The repo kojira made is in the company's folder, laid out and owned as Koji expects (httpd's uid 33).
        var repoDir = Path.Combine(mntKoji, "repos", "ext-build", repo.ToString());
        Assert.True(Directory.Exists(repoDir), $"{repoDir} missing");
        foreach (var sub in new[] { "packages", "repos", "work", "scratch" })
            Assert.True(Directory.Exists(Path.Combine(mntKoji, sub)), $"{sub} missing in {mntKoji}");
        var owner = await Shell.RunAsync("stat", "-c", "%u", Path.Combine(mntKoji, "repos"));
        Assert.Equal("33", owner.Stdout.Trim());

        var down = await steps.Run("down --purge", () => stack.RunAsync("down", "--purge", "--yes"));
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Contains($"kept the external database koji on {pg.Host}:{pg.Port} and its data", down.Out);
        Assert.Contains($"kept /mnt/koji in {mntKoji}", down.Out);
        Assert.True(Directory.Exists(repoDir), $"down --purge deleted {repoDir}");
        Assert.Equal("", await EngineObjectsAsync(stack.Name));
        Assert.Equal("1", await pg.PsqlAsync("koji", $"SELECT count(*) FROM repo WHERE id = {repo} AND state = 1"));

        var again = await steps.Run("a second up on the same database", () => stack.RunAsync("up"));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("claim", again.Out);
        using var later = stack.AdminClient();
        await steps.Run("the second farm finds the tags and the repo", async () =>
        {
            foreach (var tag in new[] { "ext-base", "ext-build", "ext-candidate" })
                Assert.NotNull(await later.CallAsync("getTag", tag));
            var info = (IReadOnlyDictionary<string, object?>)(await later.CallAsync("repoInfo", repo))!;
            Assert.Equal(repo, Convert.ToInt32(info["id"]));
        });
    }

    private sealed class Cleanup(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    /// <summary>Containers, networks and volumes of a stack on the engine, one a line ("" when none).</summary>
    private static async Task<string> EngineObjectsAsync(string stack)
    {
        var filter = $"label=koji-farm.stack={stack}";
        var found = new List<string>();
        foreach (var args in new[] { new[] { "ps", "-a", "-q" }, ["network", "ls", "-q"], ["volume", "ls", "-q"] })
        {
            var listed = await Shell.RunAsync("docker", [.. args, "--filter", filter]);
            Assert.True(listed.ExitCode == 0, listed.ToString());
            found.Add(listed.Stdout.Trim());
        }
        return string.Join("\n", found.Where(f => f.Length > 0));
    }

    /// <summary>
    /// The company's database server: the farm's PostgreSQL image run on its own (host network,
    /// listening only on the Docker bridge's address, which both this machine and the farm's
    /// containers reach), TLS on with a certificate from a test CA that names that address.
    /// </summary>
    private sealed class CompanyPostgres : IAsyncDisposable
    {
        private const string Password = "company-db-password-for-test";
        private readonly string _dir = Directory.CreateTempSubdirectory("koji-farm-pg-").FullName;
        private string _container = "";

        public string Host { get; private set; } = "";
        public int Port { get; private set; }
        /// <summary>A port nothing listens on.</summary>
        public int DeadPort { get; private set; }

        public static async Task<CompanyPostgres> StartAsync()
        {
            var pg = new CompanyPostgres();
            try
            {
                await pg.StartServerAsync();
                return pg;
            }
            catch
            {
                await pg.DisposeAsync();
                throw;
            }
        }

        private async Task StartServerAsync()
        {
            var gateway = await Shell.RunAsync("docker", "network", "inspect", "bridge", "-f", "{{(index .IPAM.Config 0).Gateway}}");
            Assert.True(gateway.ExitCode == 0, gateway.ToString());
            Host = gateway.Stdout.Trim();
            (Port, DeadPort) = FreePorts.Take(2) is [var a, var b] ? (a, b) : throw new InvalidOperationException();
            WriteTls(IPAddress.Parse(Host));
            await File.WriteAllTextAsync(Path.Combine(_dir, "db-password"), Password + "\n");
            await File.WriteAllTextAsync(Path.Combine(_dir, "wrong-password"), "not-the-password\n");

            var image = await DbImageAsync();
            _container = $"koji-farm-test-pg-{Guid.NewGuid().ToString("N")[..6]}";
            var run = await Shell.RunAsync("docker", "run", "-d", "--name", _container, "--network", "host", "--label", "koji-farm-test=external-db",
                "-v", $"{_dir}:/src:ro", "--entrypoint", "sh", image, "-c",
                "install -d -o postgres /tls && install -o postgres -m 600 /src/server.key /tls/server.key " +
                "&& install -o postgres -m 644 /src/server.crt /tls/server.crt && install -m 600 /src/db-password /etc/koji-farm/secrets/db-password " +
                $"&& exec koji-farm-db-entrypoint -c listen_addresses={Host} -c port={Port} -c ssl=on " +
                "-c ssl_cert_file=/tls/server.crt -c ssl_key_file=/tls/server.key");
            Assert.True(run.ExitCode == 0, run.ToString());
            await KojiWait.UntilAsync(TimeSpan.FromSeconds(90), async () =>
                (await Shell.RunAsync("docker", "exec", _container, "pg_isready", "-q", "-h", Host, "-p", Port.ToString())).ExitCode == 0,
                "the company's PostgreSQL accepts connections");
        }

        /// <summary>The farm's db image (built from its recipe when this machine has none yet).</summary>
        private async Task<string> DbImageAsync()
        {
            var fake = Path.Combine(_dir, "koji.tar.gz");
            await File.WriteAllTextAsync(fake, "only hashed");
            var spec = new StackSpec { Name = "pgimage", Koji = new KojiSourceSpec { From = "source", Path = fake, BaseImage = KojiProvisioner.IntegrationTests.Docker.TestEngine.BaseImage } };
            var db = ImageRecipes.Resolve(new Stack(spec, Path.Combine(_dir, "stack.yaml"), _dir, fake, null), Assets.Images).Db;
            if ((await Shell.RunAsync("docker", "image", "inspect", db.Reference)).ExitCode != 0)
            {
                var built = await Shell.RunAsync("docker", "build", "-q", "-t", db.Reference,
                    "--build-arg", $"BASE_IMAGE={KojiProvisioner.IntegrationTests.Docker.TestEngine.BaseImage}", Path.Combine(Assets.Images, db.Recipe));
                Assert.True(built.ExitCode == 0, built.ToString());
            }
            File.Delete(fake);
            return db.Reference;
        }

        private void WriteTls(IPAddress address)
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var caRequest = new CertificateRequest("CN=Company Database CA, O=Test Builders", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
            var now = DateTimeOffset.UtcNow.AddMinutes(-5);
            using var ca = caRequest.CreateSelfSigned(now, now.AddDays(2));

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={address}", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(address);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            var serial = RandomNumberGenerator.GetBytes(12);
            serial[0] = (byte)(serial[0] & 0x7F | 0x01); // positive, no leading zero byte
            using var server = request.Create(ca, now, now.AddDays(1), serial);

            File.WriteAllText(Path.Combine(_dir, "db-ca.crt"), ca.ExportCertificatePem() + "\n");
            File.WriteAllText(Path.Combine(_dir, "server.crt"), server.ExportCertificatePem() + "\n");
            File.WriteAllText(Path.Combine(_dir, "server.key"), key.ExportPkcs8PrivateKeyPem() + "\n");
        }

        /// <summary>The stack's `database:` block for this server (files beside the stack: <see cref="CopyFilesTo"/>).</summary>
        public string DatabaseYaml(int? port = null, string name = "koji", string passwordFile = "db-password") => $"""
            database:
              host: {Host}
              port: {port ?? Port}
              name: {name}
              user: koji
              passwordFile: {passwordFile}
              sslMode: verify-full
              caFile: db-ca.crt

            """;

        /// <summary>The password files and the CA certificate, beside a stack file.</summary>
        public void CopyFilesTo(string dir)
        {
            foreach (var file in new[] { "db-password", "wrong-password", "db-ca.crt" })
                File.Copy(Path.Combine(_dir, file), Path.Combine(dir, file), overwrite: true);
        }

        /// <summary>psql as the server's superuser (peer login over its socket); the rows, trimmed.</summary>
        public async Task<string> PsqlAsync(string database, string sql)
        {
            var result = await Shell.RunAsync("docker", "exec", _container, "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--",
                "psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-p", Port.ToString(), "-d", database, "-c", sql);
            Assert.True(result.ExitCode == 0, result.ToString());
            return result.Stdout.Trim();
        }

        public async ValueTask DisposeAsync()
        {
            if (_container.Length > 0)
                await Shell.RunAsync("docker", "rm", "-f", "-v", _container);
            Directory.Delete(_dir, recursive: true);
        }
    }
}
