using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace KojiProvisioner.Pki;

/// <summary>What an identity given out by `user add` is: a colleague, or a robot (CI).</summary>
public static class UserKinds
{
    public const string Person = "person";
    public const string Service = "service";
    /// <summary>The farm's own parts (admin, kojiweb, kojira, builders), listed by `user ls` but never issued by `user add`.</summary>
    public const string FarmPart = "farm part";
}

/// <summary>One certificate `user add` or `user renew` issued.</summary>
/// <param name="Serial">Upper-case hex, as `openssl x509 -serial` prints it.</param>
public sealed record UserCertificate(string Serial, DateTimeOffset Issued, DateTimeOffset NotAfter)
{
    public DateTimeOffset? RevokedAt { get; init; }
    public bool Revoked => RevokedAt is not null;
}

/// <summary>A person or service identity of the farm, with the certificates issued to it (the last is current).</summary>
/// <param name="Permissions">What `user add` granted: `content apply --prune permissions` leaves them.</param>
public sealed record UserRecord(string Name, string Kind, IReadOnlyList<string> Permissions, IReadOnlyList<UserCertificate> Certificates)
{
    public UserCertificate Current => Certificates[^1];
}

/// <summary>The CRL last signed: its number, the CA that signed it and when it runs out.</summary>
public sealed record CrlState(long Number, string CaThumbprint, DateTimeOffset NextUpdate);

/// <summary>The file <c>pki/users.json</c>: the identities `user add` made and the state of the CRL.</summary>
public sealed record UserRegistryFile
{
    public IReadOnlyList<UserRecord> Users { get; init; } = [];
    public CrlState? Crl { get; init; }
}

/// <summary>
/// The identities the farm issued to people and robots, kept in the state folder (backed up with
/// it). Certificates' private keys are never kept: only serials, dates and revocations.
/// </summary>
public static partial class UserRegistry
{
    public const string FileName = "users.json";

    public static string PathIn(string stateDirectory) => Path.Combine(Path.GetFullPath(stateDirectory), "pki", FileName);

    public static UserRegistryFile Read(string stateDirectory)
    {
        var path = PathIn(stateDirectory);
        if (!File.Exists(path))
            return new UserRegistryFile();
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), PkiJson.Default.UserRegistryFile) ?? new UserRegistryFile();
        }
        catch (JsonException e)
        {
            throw new PkiException($"{path} is not a readable user registry ({e.Message}); restore it from a backup", path, e);
        }
    }

    public static void Write(string stateDirectory, UserRegistryFile registry)
    {
        var path = PathIn(stateDirectory);
        PemFiles.EnsurePrivateDirectory(Path.GetDirectoryName(path)!);
        PemFiles.WriteAtomically(path, ToJson(registry), secret: false);
    }

    /// <summary>The file's text: for <see cref="Write"/>, and for a plan that writes it later.</summary>
    public static string ToJson(UserRegistryFile registry) => JsonSerializer.Serialize(registry, PkiJson.Default.UserRegistryFile) + "\n";

    /// <summary>
    /// Why <paramref name="name"/> cannot be a person's or robot's Koji user name and certificate CN,
    /// or null. Koji takes the CN as the user name; the name also names files (NAME.pem, NAME-koji/).
    /// </summary>
    public static string? NameProblem(string name)
    {
        if (string.IsNullOrEmpty(name))
            return "a user name must not be empty";
        if (name.Length > 64)
            return $"'{name}' is {name.Length} characters; a certificate's CN holds at most 64";
        if (!UserName().IsMatch(name))
            return $"'{name}' is not a valid user name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it is the certificate's CN, the Koji user name and a file name)";
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex UserName();

    /// <summary>Certificates issued by `user add`/`renew` expiring within <paramref name="window"/> of <paramref name="now"/> (current, not revoked ones).</summary>
    public static IEnumerable<(string Name, DateTimeOffset NotAfter)> Expiring(UserRegistryFile registry, DateTimeOffset now, TimeSpan window) =>
        registry.Users.Where(u => !u.Current.Revoked && u.Current.NotAfter - now <= window)
            .Select(u => (u.Name, u.Current.NotAfter));

    public static byte[] SerialBytes(string hex) => Convert.FromHexString(hex);

    internal static string Day(DateTimeOffset t) => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
