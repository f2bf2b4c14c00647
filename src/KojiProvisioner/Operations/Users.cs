using System.Security.Cryptography;
using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Koji;
using KojiProvisioner.Pki;
using KojiProvisioner.Templates;

namespace KojiProvisioner.Operations;

/// <summary>What `user add` or `user renew` made. The PKCS#12 password is shown once and kept nowhere.</summary>
public sealed record UserIssued(string Name, string Kind, string Folder, string Serial, DateTimeOffset NotAfter,
    IReadOnlyList<string> Permissions, string Pkcs12Password, string Profile, IReadOnlyList<string> Delivered);

/// <summary>One identity in `user ls`: from the farm's records and, when the hub answers, from Koji.</summary>
public sealed record UserRow(string Name, string Kind, string? Serial, DateTimeOffset? NotAfter, bool? Revoked, string? KojiStatus,
    IReadOnlyList<string>? Permissions);

/// <summary>What `user revoke` did.</summary>
public sealed record UserRevoked(string Name, IReadOnlyList<string> Serials, IReadOnlyList<string> Delivered);

/// <summary>
/// `user add|ls|revoke|renew`: people and robots of the farm. Certificates come from the stack's
/// CA; the farm records serials and expiry (never keys) in pki/users.json; revocation is a CRL
/// that httpd of the hub and the web check, and a blocked Koji user.
/// </summary>
public sealed class Users(Stack stack, TimeProvider? clock = null)
{
    public const int DefaultDays = 365;

    /// <summary>What `user add` granted, by user (revoked users left out): `content apply --prune permissions` keeps it.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Granted(Stack stack) =>
        UserRegistry.Read(stack.StateDirectory).Users.Where(u => !u.Current.Revoked)
            .ToDictionary(u => u.Name, u => u.Permissions, StringComparer.Ordinal);

    /// <summary>Names Koji or the farm itself uses: never given to a person or a robot.</summary>
    public IReadOnlySet<string> Reserved()
    {
        var spec = stack.Spec;
        var names = new FarmNames(spec);
        return new[] { spec.Admin.Name, Identities.Admin, Identities.Web, Identities.Kojira }
            .Concat(Enumerable.Range(1, spec.Builders.Count).Select(names.Builder))
            .Concat(spec.Builders.Remote.Select(r => r.Name))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    public async Task<UserIssued> AddAsync(string name, IReadOnlyList<string> permissions, bool service, int days, string? folder,
        CancellationToken ct, Action<string>? waiting = null)
    {
        var kind = service ? UserKinds.Service : UserKinds.Person;
        CheckDays(days);
        if (UserRegistry.NameProblem(name) is { } problem)
            throw new InputException(problem);
        if (Reserved().Contains(name))
            throw new InputException($"'{name}' is a name the farm itself uses (its admin, kojiweb, kojira or a builder): choose another");
        using var held = StateLock.Hold(stack, waiting ?? (_ => { }));
        if (UserRegistry.Read(stack.StateDirectory).Users.Any(u => string.Equals(u.Name, name, StringComparison.OrdinalIgnoreCase)))
            throw new InputException($"'{name}' already has a certificate of this farm: `user renew {name}` issues a new one");
        var target = CheckFolder(folder, name);

        using var hub = AdminHub.FromState(stack);
        var existing = await KojiUsers.GetAsync(hub, name, ct);
        if (existing is not null && existing.UserType != KojiAccount.Normal)
            throw new InputException($"'{name}' is a {(existing.UserType == KojiAccount.Host ? "builder host" : "group")} in Koji: choose another name");
        // A permission the hub lacks is made only when the stack's hub.policy names it (has_perm build): a typo is refused
        var known = (await KojiUsers.PermissionsAsync(hub, ct)).Union(HubPolicy.PermissionsNamed(stack.Spec.Hub.Policy)).ToHashSet(StringComparer.Ordinal);
        if (permissions.FirstOrDefault(p => !known.Contains(p)) is { } unknown)
            throw new InputException($"--permission {unknown}: the hub has no such permission and hub.policy names none (known: {string.Join(", ", known.Order(StringComparer.Ordinal))})");

        var password = NewPassword();
        var issued = FarmPki.IssueUser(stack.StateDirectory, stack.Spec.Organization, name, kind, TimeSpan.FromDays(days), password, clock);
        await KojiUsers.EnsureAsync(hub, name, permissions, ct);
        var record = new UserRecord(name, kind, permissions.Distinct(StringComparer.Ordinal).ToList(), [issued.Record]);
        FarmPki.RecordUser(stack.StateDirectory, record, clock);
        var profile = WriteFolder(target, name, issued);
        return new UserIssued(name, kind, target, issued.Record.Serial, issued.Record.NotAfter, record.Permissions, password, profile, []);
    }

    /// <summary>A new certificate for a user `user add` made; the old ones are revoked (the CRL reaches the hub and web at once) and a blocked Koji user is unblocked.</summary>
    public async Task<UserIssued> RenewAsync(string name, int? days, string? folder, CancellationToken ct, Action<string>? waiting = null)
    {
        if (days is { } d)
            CheckDays(d);
        using var held = StateLock.Hold(stack, waiting ?? (_ => { }));
        var user = Known(name);
        var target = CheckFolder(folder, name);
        var lifetime = days is { } given ? TimeSpan.FromDays(given) : user.Current.NotAfter - user.Current.Issued;
        var password = NewPassword();
        var issued = FarmPki.IssueUser(stack.StateDirectory, stack.Spec.Organization, name, user.Kind, lifetime, password, clock);
        using (var hub = AdminHub.FromState(stack))
            await KojiUsers.EnsureAsync(hub, name, user.Permissions, ct);
        var crl = FarmPki.RecordUser(stack.StateDirectory, user with { Certificates = [.. user.Certificates, issued.Record] }, clock);
        var profile = WriteFolder(target, name, issued);
        var delivered = await DeliverAsync(crl, ct);
        return new UserIssued(name, user.Kind, target, issued.Record.Serial, issued.Record.NotAfter, user.Permissions, password, profile, delivered);
    }

    /// <summary>Revokes the user's certificates (CRL into the hub and web, httpd reloaded) and blocks the Koji user.</summary>
    public async Task<UserRevoked> RevokeAsync(string name, CancellationToken ct, Action<string>? waiting = null)
    {
        using var held = StateLock.Hold(stack, waiting ?? (_ => { }));
        var user = Known(name);
        var crl = FarmPki.RevokeUser(stack.StateDirectory, name, clock);
        var delivered = await DeliverAsync(crl, ct);
        using (var hub = AdminHub.FromState(stack))
            await KojiUsers.DisableAsync(hub, name, ct);
        return new UserRevoked(name, user.Certificates.Where(c => !c.Revoked).Select(c => c.Serial).ToList(), delivered);
    }

    /// <summary>Every identity: the farm's own parts (from the state folder's certificates) and the people and robots it issued; Koji's side when the hub answers.</summary>
    public async Task<(IReadOnlyList<UserRow> Rows, string? HubProblem)> ListAsync(CancellationToken ct)
    {
        var registry = UserRegistry.Read(stack.StateDirectory);
        var parts = FarmParts();
        var names = parts.Select(p => p.Name).Concat(registry.Users.Select(u => u.Name)).ToList();
        IReadOnlyDictionary<string, KojiAccount>? koji = null;
        string? problem = null;
        try
        {
            using var hub = AdminHub.FromState(stack, probe: true);
            koji = await KojiUsers.GetAsync(hub, names, ct);
        }
        catch (Exception e) when (AdminHub.IsUnreachable(e) || e is IOException)
        {
            problem = e.Message;
        }
        UserRow Row(string name, string kind, string? serial, DateTimeOffset? notAfter, bool? revoked)
        {
            var k = koji?.GetValueOrDefault(name);
            return new UserRow(name, kind, serial, notAfter, revoked, koji is null ? null : k?.Status ?? "missing", k?.Permissions);
        }
        var rows = parts.Select(p => Row(p.Name, UserKinds.FarmPart, p.Serial, p.NotAfter, false))
            .Concat(registry.Users.Select(u => Row(u.Name, u.Kind, u.Current.Serial, u.Current.NotAfter, u.Current.Revoked)))
            .ToList();
        return (rows, problem);
    }

    /// <summary>The farm's own client certificates in the state folder: the admin, kojiweb, kojira, the builders (by their Koji names).</summary>
    private List<(string Name, string? Serial, DateTimeOffset? NotAfter)> FarmParts()
    {
        var spec = stack.Spec;
        var names = new FarmNames(spec);
        var parts = new List<(string File, string Koji)> { (Identities.Admin, spec.Admin.Name), (Identities.Web, "kojiweb"), (Identities.Kojira, "kojira") };
        parts.AddRange(Enumerable.Range(1, spec.Builders.Count).Select(i => (names.Builder(i), names.Builder(i))));
        parts.AddRange(spec.Builders.Remote.Select(r => (r.Name, r.Name)));
        if (!spec.Kojira.Enabled)
            parts.RemoveAll(p => p.File == Identities.Kojira);
        return parts.Select(p =>
        {
            var file = Path.Combine(stack.StateDirectory, "pki", "clients", p.File + ".crt");
            if (!File.Exists(file))
                return (p.Koji, (string?)null, (DateTimeOffset?)null);
            using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(file));
            return (p.Koji, certificate.SerialNumber, new DateTimeOffset(certificate.NotAfter).ToUniversalTime());
        }).ToList();
    }

    private UserRecord Known(string name)
    {
        if (UserRegistry.NameProblem(name) is { } problem)
            throw new InputException(problem);
        return UserRegistry.Read(stack.StateDirectory).Users.FirstOrDefault(u => u.Name == name)
            ?? throw new InputException($"'{name}' is not a user `user add` made for this farm (see `koji-farm user ls`)");
    }

    private async Task<IReadOnlyList<string>> DeliverAsync(string crl, CancellationToken ct)
    {
        using var engine = await DockerEngine.ConnectAsync(ct: ct);
        return await CrlDelivery.DeliverAsync(engine, stack, crl, onlyIfChanged: false, ct);
    }

    private static void CheckDays(int days)
    {
        if (days < 1 || days > 3650)
            throw new InputException($"--days {days}: give 1 to 3650 days (the certificate never outlives the CA)");
    }

    /// <summary>The folder to write: default ./NAME-koji; one that exists and holds files is refused (nothing is overwritten).</summary>
    private static string CheckFolder(string? folder, string name)
    {
        var target = Path.GetFullPath(folder ?? $"{name}-koji");
        if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
            throw new InputException($"{target} already exists and is not empty: give another --out, or move it away");
        return target;
    }

    /// <summary>The person's folder (0700): NAME.pem (certificate and key, 0600), NAME.p12 (0600), ca.crt and koji.conf with the stack's profile.</summary>
    private string WriteFolder(string target, string name, IssuedUser issued)
    {
        Directory.CreateDirectory(target, FileModes.PrivateDirectory);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(target, FileModes.PrivateDirectory);
        var pem = Path.Combine(target, name + ".pem");
        var ca = Path.Combine(target, "ca.crt");
        StateFolder.WritePrivate(pem, issued.Certificate.CombinedPem);
        using (var p12 = new FileStream(Path.Combine(target, name + ".p12"), new FileStreamOptions
               {
                   Mode = FileMode.CreateNew, Access = FileAccess.Write,
                   UnixCreateMode = OperatingSystem.IsWindows() ? null : FileModes.Private,
               }))
            p12.Write(issued.Pkcs12);
        AtomicFile.Write(ca, File.ReadAllText(Path.Combine(stack.StateDirectory, "pki", "ca.crt")), secret: false);
        var profile = new FarmPlanner(new TemplateRenderer(Assets.Templates)).ClientProfile(stack, pem, ca);
        AtomicFile.Write(Path.Combine(target, "koji.conf"), profile, secret: false);
        return profile;
    }

    /// <summary>24 random characters from an alphabet without look-alikes: shown once, typed into a browser's import dialog.</summary>
    private static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return new string(RandomNumberGenerator.GetItems<char>(alphabet, 24));
    }
}
