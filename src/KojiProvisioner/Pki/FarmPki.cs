using System.Collections.ObjectModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace KojiProvisioner.Pki;

/// <summary>
/// The farm's CA, the hub/web server certificate and one client certificate per identity, kept in
/// &lt;state&gt;/pki. Each run reuses what is there and only replaces what is missing, about to expire,
/// no longer matching the request or not signed by the current CA, so the farm keeps its trust
/// across runs.
/// </summary>
public sealed partial class FarmPki
{
    /// <summary>Leaves are renewed when they have this long left.</summary>
    public static readonly TimeSpan LeafRenewalWindow = TimeSpan.FromDays(30);

    /// <summary>The CA is renewed (and every leaf reissued) when it has this long left.</summary>
    public static readonly TimeSpan CaRenewalWindow = TimeSpan.FromDays(90);

    private const string CaRemedy = "Delete ca.crt and ca.key to create a new CA; every server and client certificate is then reissued.";

    private FarmPki(string directory, string caPem, string caThumbprint, IssuedCertificate server,
        IReadOnlyDictionary<string, IssuedCertificate> clients, IReadOnlyList<string> changes)
    {
        PkiDirectory = directory;
        CaCertificatePem = caPem;
        CaThumbprint = caThumbprint;
        Server = server;
        Clients = clients;
        Changes = changes;
    }

    /// <summary>The pki folder: ca.crt, ca.key, server.crt, server.key, clients/&lt;name&gt;.crt|.key.</summary>
    public string PkiDirectory { get; }
    public string CaCertificatePem { get; }
    public string CaThumbprint { get; }
    public IssuedCertificate Server { get; }

    /// <summary>By <see cref="ClientIdentity.Name"/>.</summary>
    public IReadOnlyDictionary<string, IssuedCertificate> Clients { get; }

    /// <summary>
    /// One line per certificate saying what this run did: "created CA", "reused CA",
    /// "reissued server certificate: names changed", "renewed client builder-1: expires 2027-01-02"
    /// (the date the old certificate expires or expired).
    /// </summary>
    public IReadOnlyList<string> Changes { get; }

    /// <param name="readOnly">Read what exists and make what is missing in memory only (preview, status): nothing is written.</param>
    /// <param name="pending">With <paramref name="readOnly"/>: where the files that would have been written go instead (`up`'s plan writes them later).</param>
    public static FarmPki LoadOrCreate(string stateDirectory, PkiRequest request, TimeProvider? clock = null, bool readOnly = false,
        StateWrites? pending = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        ArgumentNullException.ThrowIfNull(request);
        var serverNames = Validate(request);
        var now = (clock ?? TimeProvider.System).GetUtcNow();

        var directory = Path.Combine(Path.GetFullPath(stateDirectory), "pki");
        var clientsDirectory = Path.Combine(directory, "clients");
        var write = !readOnly;
        Action<string, string, bool> save = write ? PemFiles.WriteAtomically : pending is not null ? pending.Add : (_, _, _) => { };
        if (write)
        {
            Directory.CreateDirectory(stateDirectory);
            PemFiles.EnsurePrivateDirectory(directory);
            PemFiles.EnsurePrivateDirectory(clientsDirectory);
            PemFiles.RemoveStaleTempFiles(directory);
            PemFiles.RemoveStaleTempFiles(clientsDirectory);
        }

        var changes = new List<string>();
        // Keys for the leaves that will surely be issued (no CA yet: all of them; else those with a
        // file missing), made beside the CA's; a leaf reissued for another reason makes its own.
        var serverLeaf = new Leaf("server certificate", Path.Combine(directory, "server.crt"), Path.Combine(directory, "server.key"));
        var clientLeaves = request.Clients.ToDictionary(c => c.Name,
            c => new Leaf($"client {c.Name}", Path.Combine(clientsDirectory, c.Name + ".crt"), Path.Combine(clientsDirectory, c.Name + ".key")));
        var leaves = clientLeaves.Values.Prepend(serverLeaf).ToList();
        var noCa = !File.Exists(Path.Combine(directory, "ca.crt")) && !File.Exists(Path.Combine(directory, "ca.key"));
        using var newKeys = new LeafKeyPool(request.KeyAlgorithm, noCa ? leaves.Count : leaves.Count(l => !File.Exists(l.CertificatePath) || !File.Exists(l.KeyPath)));
        using var ca = LoadOrCreateCa(directory, request.Organization, request.KeyAlgorithm, now, changes, write, save, out var caIsNew);

        var serverSubject = CertificateAuthority.ServerSubject(request.Organization, serverNames);
        var server = EnsureLeaf(
            serverLeaf,
            ca, caIsNew, request.KeyAlgorithm, now, changes, write, save,
            existing =>
                !ServerNames.FromCertificate(existing).SameNamesAs(serverNames) ? "names changed"
                : !SameName(existing.SubjectName, serverSubject) ? "subject changed"
                : null,
            () => ca.IssueServer(serverSubject, serverNames, now, newKeys.Take()));

        var clients = new Dictionary<string, IssuedCertificate>(StringComparer.Ordinal);
        foreach (var client in request.Clients)
        {
            var subject = CertificateAuthority.ClientSubject(request.Organization, client.OrganizationalUnit, client.CommonName);
            clients[client.Name] = EnsureLeaf(
                clientLeaves[client.Name],
                ca, caIsNew, request.KeyAlgorithm, now, changes, write, save,
                existing => SameName(existing.SubjectName, subject) ? null : "subject changed",
                () => ca.IssueClient(subject, now, newKeys.Take()));
        }

        var crl = EnsureCrl(stateDirectory, ca, now, write, changes, pending);
        return new FarmPki(directory, PemFiles.ToPem(ca.Certificate), ca.Certificate.Thumbprint, server,
            new ReadOnlyDictionary<string, IssuedCertificate>(clients), changes.AsReadOnly()) { CrlPem = crl, CaNotAfter = NotAfter(ca.Certificate) };
    }

    private sealed record Leaf(string Label, string CertificatePath, string KeyPath);

    /// <param name="algorithm">For a new CA only: an existing one keeps its key until it is renewed, since replacing it reissues everything.</param>
    private static CertificateAuthority LoadOrCreateCa(string directory, string organization, KeyAlgorithm algorithm, DateTimeOffset now,
        List<string> changes, bool write, Action<string, string, bool> save, out bool isNew)
    {
        var certificatePath = Path.Combine(directory, "ca.crt");
        var keyPath = Path.Combine(directory, "ca.key");
        var haveCertificate = File.Exists(certificatePath);
        var haveKey = File.Exists(keyPath);

        if (!haveCertificate && !haveKey)
        {
            isNew = true;
            changes.Add("created CA");
            return CreateCa(certificatePath, keyPath, organization, algorithm, now, save);
        }
        // Half a CA cannot sign, and silently replacing it would hide a lost key: ask the user
        if (!haveKey)
            throw new PkiException($"{keyPath} is missing but {certificatePath} exists. Restore ca.key, or delete ca.crt to create a new CA (every certificate is then reissued).", keyPath);
        if (!haveCertificate)
            throw new PkiException($"{certificatePath} is missing but {keyPath} exists. Restore ca.crt, or delete ca.key to create a new CA (every certificate is then reissued).", certificatePath);

        var ca = ReadCa(certificatePath, keyPath);
        if (write)
            PemFiles.RestrictToOwner(keyPath);

        var notAfter = NotAfter(ca.Certificate);
        if (notAfter - now > CaRenewalWindow)
        {
            isNew = false;
            changes.Add("reused CA");
            return ca;
        }
        ca.Dispose();
        isNew = true;
        changes.Add($"renewed CA: {ExpiryReason(notAfter, now)}");
        return CreateCa(certificatePath, keyPath, organization, algorithm, now, save);
    }

    /// <summary>The CA from its two files, checked to be a pair.</summary>
    private static CertificateAuthority ReadCa(string certificatePath, string keyPath)
    {
        var certificate = PemFiles.ReadCertificate(certificatePath, CaRemedy);
        AsymmetricAlgorithm key;
        try
        {
            key = PemFiles.ReadKey(keyPath, CaRemedy);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
        var ca = CertificateAuthority.FromParts(certificate, key);
        if (!ca.Owns(key))
        {
            ca.Dispose();
            throw new PkiException($"{keyPath} is not the key of {certificatePath}. Restore the matching pair, or delete both to create a new CA (every certificate is then reissued).", keyPath);
        }
        return ca;
    }

    private static CertificateAuthority CreateCa(string certificatePath, string keyPath, string organization, KeyAlgorithm algorithm,
        DateTimeOffset now, Action<string, string, bool> save)
    {
        var ca = CertificateAuthority.Create(organization, now, algorithm);
        try
        {
            // key first: a run stopped in between leaves a mismatched pair, which the next run reports
            save(keyPath, ca.KeyPem, true);
            save(certificatePath, PemFiles.ToPem(ca.Certificate), false);
            return ca;
        }
        catch
        {
            ca.Dispose();
            throw;
        }
    }

    private static IssuedCertificate EnsureLeaf(Leaf leaf, CertificateAuthority ca, bool caIsNew, KeyAlgorithm algorithm, DateTimeOffset now,
        List<string> changes, bool write, Action<string, string, bool> save, Func<X509Certificate2, string?> mismatch, Func<(X509Certificate2 Certificate, AsymmetricAlgorithm Key)> issue)
    {
        var haveCertificate = File.Exists(leaf.CertificatePath);
        var haveKey = File.Exists(leaf.KeyPath);
        string change;
        if (!haveCertificate && !haveKey)
            change = $"created {leaf.Label}";
        else if (caIsNew)
            change = $"reissued {leaf.Label}: new CA";
        else if (!haveCertificate || !haveKey)
            change = $"reissued {leaf.Label}: {Path.GetFileName(haveCertificate ? leaf.KeyPath : leaf.CertificatePath)} missing";
        else
        {
            var remedy = $"Delete it to have the {leaf.Label} reissued.";
            using var certificate = PemFiles.ReadCertificate(leaf.CertificatePath, remedy);
            using var key = PemFiles.ReadKey(leaf.KeyPath, remedy);
            var notAfter = NotAfter(certificate);
            string? reason =
                !CertificateAuthority.SamePublicKey(certificate, key) ? "key does not match certificate"
                : !ca.HasIssued(certificate) ? "not signed by current CA"
                : Keys.Of(key) != algorithm ? $"key algorithm changed to {Keys.Name(algorithm)}"
                : mismatch(certificate);
            if (reason is not null)
                change = $"reissued {leaf.Label}: {reason}";
            else if (notAfter - now <= LeafRenewalWindow)
                change = $"renewed {leaf.Label}: {ExpiryReason(notAfter, now)}";
            else
            {
                if (write)
                    PemFiles.RestrictToOwner(leaf.KeyPath);
                changes.Add($"reused {leaf.Label}");
                return Describe(certificate, key);
            }
        }

        changes.Add(change);
        var (newCertificate, newKey) = issue();
        using (newCertificate)
        using (newKey)
        {
            // key first: a run stopped in between leaves a mismatched pair, which the next run reissues
            save(leaf.KeyPath, PemFiles.ToPem(newKey), true);
            save(leaf.CertificatePath, PemFiles.ToPem(newCertificate), false);
            return Describe(newCertificate, newKey);
        }
    }

    private static IssuedCertificate Describe(X509Certificate2 certificate, AsymmetricAlgorithm key) => new(
        PemFiles.ToPem(certificate),
        PemFiles.ToPem(key),
        Rfc2253.Format(certificate.SubjectName),
        NotAfter(certificate),
        certificate.Thumbprint);

    private static DateTimeOffset NotAfter(X509Certificate2 certificate) =>
        new DateTimeOffset(certificate.NotAfter).ToUniversalTime();

    private static string ExpiryReason(DateTimeOffset notAfter, DateTimeOffset now) =>
        (notAfter <= now ? "expired " : "expires ") + notAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool SameName(X500DistinguishedName a, X500DistinguishedName b) => a.RawData.AsSpan().SequenceEqual(b.RawData);

    private static ServerNames Validate(PkiRequest request)
    {
        CheckAttribute(request.Organization, "Organization");
        // the CA's CN carries the organization too, and a CN is at most 64 characters (RFC 5280)
        CheckAttribute(CertificateAuthority.CaCommonName(request.Organization), "Organization (in the CA's name)");
        var names = ServerNames.Parse(request.ServerNames);

        ArgumentNullException.ThrowIfNull(request.Clients);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var client in request.Clients)
        {
            ArgumentNullException.ThrowIfNull(client);
            if (client.Name is null || !FileStem().IsMatch(client.Name))
                throw new ArgumentException($"client name '{client.Name}' must be letters, digits, '.', '_' or '-' and start with a letter or digit; it is a file name", nameof(request));
            // case-insensitive: on some file systems Admin.key and admin.key are the same file
            if (!seen.Add(client.Name))
                throw new ArgumentException($"client name '{client.Name}' is used twice", nameof(request));
            CheckAttribute(client.CommonName, $"CommonName of client '{client.Name}'");
            CheckAttribute(client.OrganizationalUnit, $"OrganizationalUnit of client '{client.Name}'");
        }
        return names;
    }

    private static void CheckAttribute(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"{what} must not be empty");
        if (value.Length > 64)
            throw new ArgumentException($"{what} is {value.Length} characters; a certificate name attribute holds at most 64");
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex FileStem();
}
