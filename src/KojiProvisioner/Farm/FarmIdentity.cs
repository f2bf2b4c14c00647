using System.Security.Cryptography;

namespace KojiProvisioner.Farm;

/// <summary>
/// The state folder is the farm's identity. Volumes carry the fingerprint (SHA-256 of the CA
/// certificate) of the state folder that made them; `up` with another state folder (a second
/// checkout, a cleaned CI workspace, a folder deleted by hand) stops before changing anything,
/// instead of recreating the hub with a password the database does not know. `up --adopt` re-keys
/// the farm to this folder: it records the volumes' fingerprints as adopted (volume labels cannot
/// be changed), certificates come from this CA, and the database takes this folder's password
/// when it starts (db-entrypoint).
/// </summary>
public static class FarmIdentity
{
    /// <summary>Fingerprints of farms this state folder adopted, one a line.</summary>
    public const string AdoptedFile = StateFolder.AdoptedFarmsName;

    /// <summary>The state folder's fingerprint: SHA-256 of its CA certificate; null while it has none.</summary>
    public static string? Fingerprint(StateFolder state)
    {
        var ca = Path.Combine(state.Path, "pki", "ca.crt");
        return File.Exists(ca) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(ca))) : null;
    }

    public static IReadOnlySet<string> Adopted(StateFolder state)
    {
        var file = Path.Combine(state.Path, AdoptedFile);
        return File.Exists(file)
            ? File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Labels for the volumes `up` creates now: the fingerprint of the CA the state folder holds, or of the one the plan made (written as the plan's first step).</summary>
    public static IReadOnlyDictionary<string, string> VolumeLabels(StateFolder state, string caCertificatePem) =>
        new Dictionary<string, string> { [Labels.StateFingerprint] = FingerprintOrNew(state, caCertificatePem) };

    /// <summary>The fingerprint of the CA the state folder holds, or of the one the plan made (written as the plan's first step).</summary>
    public static string FingerprintOrNew(StateFolder state, string caCertificatePem) =>
        Fingerprint(state) ?? Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(caCertificatePem)));

    /// <summary>
    /// The fingerprints on <paramref name="volumes"/> that this state folder neither made nor adopted.
    /// Volumes without one (made before fingerprints existed) are taken as this folder's.
    /// </summary>
    public static IReadOnlyList<string> Foreign(string? fingerprint, IReadOnlySet<string> adopted,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> volumes) =>
        volumes.Values.Select(l => l.GetValueOrDefault(Labels.StateFingerprint))
            .OfType<string>().Where(f => f.Length > 0 && f != fingerprint && !adopted.Contains(f))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>The message `up` stops with when the state folder is not the one that made the farm.</summary>
    public static string MismatchMessage(string stack, string statePath, string? fingerprint, IReadOnlyList<string> foreign,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> volumes)
    {
        var names = volumes.Where(v => v.Value.GetValueOrDefault(Labels.StateFingerprint) is { } f && foreign.Contains(f))
            .Select(v => v.Key).Order(StringComparer.Ordinal);
        var mine = fingerprint is null ? "has no CA (lost or new)" : $"has CA {Short(fingerprint)}";
        return $"stack '{stack}': the farm on this engine (volumes {string.Join(", ", names)}) was made from another state folder " +
            $"(CA {string.Join(", ", foreign.Select(Short))}); the state folder {statePath} {mine}. Nothing was changed. " +
            "Point stateDir at the folder that made the farm, or run `up --adopt` to re-key the farm to this state folder " +
            "(its data is kept; certificates are reissued from this CA and the database takes this folder's password)";
    }

    public static void RecordAdopted(StateFolder state, IReadOnlyList<string> fingerprints)
    {
        if (fingerprints.Count == 0)
            return;
        var all = Adopted(state).Concat(fingerprints).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        AtomicFile.Write(Path.Combine(state.Path, AdoptedFile), string.Concat(all.Select(f => f + "\n")), secret: false);
    }

    private static string Short(string fingerprint) => "sha256:" + fingerprint[..Math.Min(16, fingerprint.Length)];
}
