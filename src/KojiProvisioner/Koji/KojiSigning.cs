using System.Globalization;

namespace KojiProvisioner.Koji;

/// <summary>A build as signing sees it: its id, N, V, R and state (1 = COMPLETE).</summary>
public sealed record KojiBuildRef(int Id, string Name, string Version, string Release, int State)
{
    public string Nvr => $"{Name}-{Version}-{Release}";
    public bool Complete => State == 1;

    /// <summary>Where the hub keeps an RPM of this build (Koji's default volume).</summary>
    public string RpmPath(KojiRpm rpm) => $"/mnt/koji/packages/{Name}/{Version}/{Release}/{rpm.Arch}/{rpm.FileName}";
}

/// <summary>One RPM of a build: id and file name parts.</summary>
public sealed record KojiRpm(int Id, string Name, string Version, string Release, string Arch)
{
    public string Nvra => $"{Name}-{Version}-{Release}.{Arch}";
    public string FileName => Nvra + ".rpm";
}

/// <summary>
/// The hub calls of signing and publishing, typed: what <c>koji import-sig</c>,
/// <c>koji write-signed-rpm</c> and <c>koji dist-repo</c> send (read in Koji 1.35.3's CLI).
/// Signature keys (<c>sigkey</c>) are Koji's: the last 8 hex digits of the OpenPGP key id, lowercase.
/// Whether a tag exists is <see cref="KojiApi.TagExistsAsync"/>.
/// </summary>
public static class KojiSigning
{
    /// <summary>The build by NVR, or null when the hub has none.</summary>
    public static async Task<KojiBuildRef?> BuildAsync(this IKojiHub hub, string nvr, CancellationToken ct) =>
        await hub.CallAsync(new KojiCall("getBuild", nvr), ct) is IReadOnlyDictionary<string, object?> b ? Build(b) : null;

    /// <summary>The latest build of each package in the tag (with inheritance, as a dist repo takes them).</summary>
    public static async Task<IReadOnlyList<KojiBuildRef>> LatestTaggedAsync(this IKojiHub hub, string tag, CancellationToken ct)
    {
        var rows = (IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listTagged", tag,
            new KojiKwargs { { "inherit", true }, { "latest", true } }), ct))!;
        return rows.Cast<IReadOnlyDictionary<string, object?>>().Select(Build).OrderBy(b => b.Nvr, StringComparer.Ordinal).ToList();
    }

    public static async Task<IReadOnlyList<KojiRpm>> RpmsOfAsync(this IKojiHub hub, int buildId, CancellationToken ct)
    {
        var rows = (IEnumerable<object?>)(await hub.CallAsync(new KojiCall("listRPMs", buildId), ct))!;
        return rows.Cast<IReadOnlyDictionary<string, object?>>().Select(r => new KojiRpm(Int(r["id"]), (string)r["name"]!,
            (string)r["version"]!, (string)r["release"]!, (string)r["arch"]!)).OrderBy(r => r.Nvra, StringComparer.Ordinal).ToList();
    }

    /// <summary>The sigkeys the hub holds a signature of for each RPM (one multicall).</summary>
    public static async Task<IReadOnlyDictionary<int, IReadOnlySet<string>>> SignaturesAsync(this IKojiHub hub, IReadOnlyList<KojiRpm> rpms, CancellationToken ct)
    {
        var results = await hub.BatchCallAsync(rpms.Select(r => new KojiCall("queryRPMSigs", new KojiKwargs { { "rpm_id", r.Id } })).ToList(), ct);
        var map = new Dictionary<int, IReadOnlySet<string>>();
        for (var i = 0; i < rpms.Count; i++)
        {
            var rows = (IEnumerable<object?>)results[i].GetValueOrThrow()!;
            map[rpms[i].Id] = rows.Cast<IReadOnlyDictionary<string, object?>>().Select(s => ((string?)s["sigkey"] ?? "").ToLowerInvariant()).ToHashSet();
        }
        return map;
    }

    /// <summary><c>addRPMSig</c>: the raw signature header (lead excluded), base64, as <c>koji import-sig</c> sends it.</summary>
    public static Task AddSignatureAsync(this IKojiHub hub, int rpmId, byte[] signatureHeader, CancellationToken ct) =>
        hub.CallAsync(new KojiCall("addRPMSig", rpmId, Convert.ToBase64String(signatureHeader)), ct);

    /// <summary><c>writeSignedRPM</c>: the hub writes packages/N/V/R/data/signed/SIGKEY/ARCH/NVRA.rpm.</summary>
    public static Task WriteSignedCopyAsync(this IKojiHub hub, int rpmId, string sigkey, CancellationToken ct) =>
        hub.CallAsync(new KojiCall("writeSignedRPM", rpmId, sigkey), ct);

    /// <summary>The tag's arches (its build config, with inheritance), or empty.</summary>
    public static async Task<IReadOnlyList<string>> TagArchesAsync(this IKojiHub hub, string tag, CancellationToken ct)
    {
        var config = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync(new KojiCall("getBuildConfig", tag), ct))!;
        return ((string?)config.GetValueOrDefault("arches") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary><c>distRepo(tag, keys, **opts)</c> with the options the CLI's dist-repo sends by default; returns the task id.</summary>
    public static async Task<int> DistRepoAsync(this IKojiHub hub, string tag, IReadOnlyList<string> keys, IReadOnlyList<string> arches, CancellationToken ct) =>
        Int(await hub.CallAsync(new KojiCall("distRepo", tag, keys.ToList(), new KojiKwargs
        {
            { "arch", arches.ToList() }, { "comps", null }, { "delta", new List<object?>() }, { "event", null }, { "volume", null },
            { "inherit", true }, { "latest", true }, { "multilib", false }, { "split_debuginfo", false },
            { "skip_missing_signatures", false }, { "allow_missing_signatures", false }, { "zck", false }, { "zck_dict_dir", null }, { "write_signed_rpms", true },
        }), ct));

    private static KojiBuildRef Build(IReadOnlyDictionary<string, object?> b) =>
        new(Int(b.GetValueOrDefault("build_id") ?? b["id"]), (string)(b.GetValueOrDefault("package_name") ?? b["name"])!,
            (string)b["version"]!, (string)b["release"]!, Int(b["state"]));

    private static int Int(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);
}
