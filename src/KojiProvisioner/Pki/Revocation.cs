using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KojiProvisioner.Pki;

/// <summary>A certificate given to a person or a robot: its files are the caller's to hand out, the farm keeps only its record.</summary>
/// <param name="Pkcs12">The certificate and key for a browser, encrypted with the password the caller chose.</param>
public sealed record IssuedUser(IssuedCertificate Certificate, UserCertificate Record, byte[] Pkcs12);

/// <summary>
/// Certificates for people and robots, and their revocation: the company CA signs a CRL
/// (<c>pki/crl.pem</c>) that the hub's and the web's httpd check on every TLS handshake. The CRL
/// exists from the first `up` (empty), lives a year, and `up` signs it anew when it has less than
/// <see cref="CrlRenewalWindow"/> left: httpd refuses every client certificate once its CRL is past
/// its nextUpdate.
/// </summary>
public sealed partial class FarmPki
{
    public const string CrlFileName = "crl.pem";
    public static readonly TimeSpan CrlLifetime = TimeSpan.FromDays(365);
    public static readonly TimeSpan CrlRenewalWindow = TimeSpan.FromDays(90);

    /// <summary>The CRL (PEM) the hub and web check client certificates against.</summary>
    public string CrlPem { get; private init; } = "";

    /// <summary>When the CA expires (status warns 30 days ahead).</summary>
    public DateTimeOffset CaNotAfter { get; private init; }

    /// <summary>The CRL as it is, or signed anew when missing, signed by another CA or running out (<paramref name="write"/>: also kept).</summary>
    /// <param name="pending">Not writing: where the CRL and the registry go instead (`up`'s plan writes them later).</param>
    private static string EnsureCrl(string stateDirectory, CertificateAuthority ca, DateTimeOffset now, bool write, List<string> changes,
        StateWrites? pending = null)
    {
        var path = Path.Combine(Path.GetFullPath(stateDirectory), "pki", CrlFileName);
        var registry = UserRegistry.Read(stateDirectory);
        string? reason =
            !File.Exists(path) || registry.Crl is null ? "created CRL"
            : registry.Crl.CaThumbprint != ca.Certificate.Thumbprint ? "signed CRL anew: new CA"
            : registry.Crl.NextUpdate - now <= CrlRenewalWindow ? $"signed CRL anew: it expires {UserRegistry.Day(registry.Crl.NextUpdate)}"
            : null;
        if (reason is null)
            return File.ReadAllText(path);
        changes.Add(reason);
        return SignCrl(stateDirectory, ca, registry, now, write, pending);
    }

    /// <summary>Signs the CRL of every revoked certificate in <paramref name="registry"/>; when <paramref name="write"/>, writes it and then the registry (with the CRL's number).</summary>
    private static string SignCrl(string stateDirectory, CertificateAuthority ca, UserRegistryFile registry, DateTimeOffset now, bool write,
        StateWrites? pending = null)
    {
        var number = (registry.Crl?.Number ?? 0) + 1;
        var nextUpdate = now + CrlLifetime;
        var revoked = registry.Users.SelectMany(u => u.Certificates).Where(c => c.RevokedAt is not null)
            .Select(c => (UserRegistry.SerialBytes(c.Serial), c.RevokedAt!.Value));
        // thisUpdate an hour back: containers may run slightly behind this machine's clock
        var der = ca.SignCrl(revoked, number, now.AddHours(-1), nextUpdate);
        var pem = PemEncoding.WriteString("X509 CRL", der) + "\n";
        if (write)
        {
            // the CRL first: a run stopped in between leaves a CRL that revokes more than the registry says, never less
            PemFiles.WriteAtomically(Path.Combine(Path.GetFullPath(stateDirectory), "pki", CrlFileName), pem, secret: false);
            UserRegistry.Write(stateDirectory, registry with { Crl = new CrlState(number, ca.Certificate.Thumbprint, nextUpdate) });
        }
        else if (pending is not null)
        {
            pending.Add(Path.Combine(Path.GetFullPath(stateDirectory), "pki", CrlFileName), pem, secret: false);
            pending.Add(UserRegistry.PathIn(stateDirectory), UserRegistry.ToJson(registry with { Crl = new CrlState(number, ca.Certificate.Thumbprint, nextUpdate) }), secret: false);
        }
        return pem;
    }

    /// <summary>The stack's CA from the state folder; `up` makes it, user commands only use it.</summary>
    private static CertificateAuthority OpenCa(string stateDirectory)
    {
        var directory = Path.Combine(Path.GetFullPath(stateDirectory), "pki");
        var certificatePath = Path.Combine(directory, "ca.crt");
        var keyPath = Path.Combine(directory, "ca.key");
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
            throw new PkiException($"no CA in {directory}: run `koji-farm up` first", certificatePath);
        return ReadCa(certificatePath, keyPath);
    }

    /// <summary>
    /// A client certificate for a person or robot (CN = the Koji user name, OU = <paramref name="kind"/>),
    /// valid <paramref name="lifetime"/> (never past the CA). Nothing is written: the caller records it
    /// (<see cref="RecordUser"/>) once Koji has the user.
    /// </summary>
    public static IssuedUser IssueUser(string stateDirectory, string organization, string name, string kind, TimeSpan lifetime,
        string pkcs12Password, TimeProvider? clock = null)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        using var ca = OpenCa(stateDirectory);
        var subject = CertificateAuthority.ClientSubject(organization, kind, name);
        // RSA: every browser and TLS library takes it
        var (certificate, key) = ca.IssueClient(subject, now, Keys.Create(KeyAlgorithm.Rsa, forCa: false), lifetime);
        using (certificate)
        using (key)
        using (var withKey = certificate.CopyWithPrivateKey((RSA)key))
        {
            var pkcs12 = withKey.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, pkcs12Password);
            var record = new UserCertificate(certificate.SerialNumber, now, NotAfter(certificate));
            return new IssuedUser(Describe(certificate, key), record, pkcs12);
        }
    }

    /// <summary>Adds (or, renewing, extends) the user's record; the certificates it replaces are revoked and the CRL signed anew.</summary>
    /// <returns>The CRL now in force.</returns>
    public static string RecordUser(string stateDirectory, UserRecord user, TimeProvider? clock = null)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var registry = UserRegistry.Read(stateDirectory);
        var current = user.Current.Serial;
        var revokesOld = user.Certificates.Any(c => c.Serial != current && c.RevokedAt is null);
        user = user with { Certificates = user.Certificates.Select(c => c.Serial != current && c.RevokedAt is null ? c with { RevokedAt = now } : c).ToList() };
        registry = registry with { Users = [.. registry.Users.Where(u => u.Name != user.Name), user] };
        if (!revokesOld)
        {
            UserRegistry.Write(stateDirectory, registry);
            return File.Exists(CrlPath(stateDirectory)) ? File.ReadAllText(CrlPath(stateDirectory)) : "";
        }
        using var ca = OpenCa(stateDirectory);
        return SignCrl(stateDirectory, ca, registry, now, write: true);
    }

    /// <summary>Revokes every certificate of <paramref name="name"/> not yet revoked and signs the CRL anew.</summary>
    /// <returns>The CRL now in force.</returns>
    public static string RevokeUser(string stateDirectory, string name, TimeProvider? clock = null)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var registry = UserRegistry.Read(stateDirectory);
        var user = registry.Users.FirstOrDefault(u => u.Name == name)
            ?? throw new InputException($"'{name}' is not a user `user add` made for this farm (see `koji-farm user ls`)");
        var revoked = user with { Certificates = user.Certificates.Select(c => c.RevokedAt is null ? c with { RevokedAt = now } : c).ToList() };
        registry = registry with { Users = registry.Users.Select(u => u.Name == name ? revoked : u).ToList() };
        using var ca = OpenCa(stateDirectory);
        return SignCrl(stateDirectory, ca, registry, now, write: true);
    }

    public static string CrlPath(string stateDirectory) => Path.Combine(Path.GetFullPath(stateDirectory), "pki", CrlFileName);
}

/// <summary>A certificate (or the CRL) of the farm that runs out soon.</summary>
/// <param name="What">"CA", "server certificate", "client kojira", "user alice", "CRL".</param>
public sealed record Expiry(string What, DateTimeOffset NotAfter)
{
    public string Describe(DateTimeOffset now) =>
        $"{What} {(NotAfter <= now ? "expired" : "expires")} {UserRegistry.Day(NotAfter)}" +
        (NotAfter > now ? $" (in {Math.Max(0, (int)(NotAfter - now).TotalDays)} days)" : "");
}

public sealed partial class FarmPki
{
    /// <summary>Days ahead `status` warns of an expiry.</summary>
    public static readonly TimeSpan ExpiryWarningWindow = TimeSpan.FromDays(30);

    /// <summary>
    /// What in the state folder expires within <paramref name="window"/>: the CA, the server and the
    /// farm's client certificates, the current certificates of people and robots, the CRL. Reads only.
    /// </summary>
    public static IReadOnlyList<Expiry> Expiring(string stateDirectory, DateTimeOffset now, TimeSpan window)
    {
        var directory = Path.Combine(Path.GetFullPath(stateDirectory), "pki");
        var found = new List<Expiry>();
        void Check(string what, string file)
        {
            if (!File.Exists(file))
                return;
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(file));
            var notAfter = NotAfter(certificate);
            if (notAfter - now <= window)
                found.Add(new Expiry(what, notAfter));
        }
        Check("CA", Path.Combine(directory, "ca.crt"));
        Check("server certificate", Path.Combine(directory, "server.crt"));
        var clients = Path.Combine(directory, "clients");
        if (Directory.Exists(clients))
            foreach (var file in Directory.EnumerateFiles(clients, "*.crt").Order(StringComparer.Ordinal))
                Check($"client {Path.GetFileNameWithoutExtension(file)}", file);
        var registry = UserRegistry.Read(stateDirectory);
        found.AddRange(UserRegistry.Expiring(registry, now, window).Select(u => new Expiry($"user {u.Name}", u.NotAfter)));
        if (registry.Crl is { } crl && crl.NextUpdate - now <= window)
            found.Add(new Expiry("CRL", crl.NextUpdate));
        return found;
    }
}
