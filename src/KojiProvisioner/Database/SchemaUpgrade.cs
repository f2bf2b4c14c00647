using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace KojiProvisioner.Database;

/// <summary>A Koji schema version: major.minor (the schema changes with the minor release only).</summary>
public readonly record struct SchemaVersion(int Major, int Minor) : IComparable<SchemaVersion>
{
    public static SchemaVersion Parse(string text)
    {
        var m = Regex.Match(text.Trim(), @"^(\d+)\.(\d+)");
        return m.Success
            ? new SchemaVersion(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value))
            : throw new FarmException($"not a Koji version: '{text}'");
    }

    public int CompareTo(SchemaVersion other) => (Major, Minor).CompareTo((other.Major, other.Minor));
    public static bool operator <(SchemaVersion a, SchemaVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(SchemaVersion a, SchemaVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(SchemaVersion a, SchemaVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(SchemaVersion a, SchemaVersion b) => a.CompareTo(b) >= 0;
    public override string ToString() => $"{Major}.{Minor}";
}

/// <summary>A Koji upgrade `up` is about to make: from the database's schema to the stack's Koji, with the scripts the new hub will run.</summary>
public sealed record UpgradeStep(SchemaVersion From, string ToKoji, IReadOnlyList<UpgradeScript> Scripts)
{
    public string Describe => $"Koji schema {From} -> {SchemaVersion.Parse(ToKoji)} (Koji {ToKoji}): {string.Join(", ", Scripts.Select(s => s.Name))}";
}

/// <summary>One upgrade script of a Koji tree: schemas/schema-upgrade-FROM-TO.sql.</summary>
public sealed record UpgradeScript(string Name, SchemaVersion From, SchemaVersion To);

/// <summary>
/// Which of a Koji tree's upgrade scripts take a database from its schema version to the tree's.
/// Pure: the same rule the hub image runs at start (koji-farm bootstrap-hub, upgrade_plan), used
/// here to show the step in `preview`, to refuse a downgrade before anything is touched, and to
/// decide whether `up` takes a backup first.
/// </summary>
public static partial class SchemaUpgrade
{
    [GeneratedRegex(@"^schema-upgrade-(\d+\.\d+)-(\d+\.\d+)\.sql$")]
    private static partial Regex ScriptName();

    /// <summary>The upgrade scripts among file names (others, like schema-update-cgen.sql, are not upgrades).</summary>
    public static IReadOnlyList<UpgradeScript> Scripts(IEnumerable<string> fileNames) =>
        fileNames.Select(n => ScriptName().Match(Path.GetFileName(n)))
            .Where(m => m.Success)
            .Select(m => new UpgradeScript(m.Value, SchemaVersion.Parse(m.Groups[1].Value), SchemaVersion.Parse(m.Groups[2].Value)))
            .ToList();

    /// <summary>
    /// Every script with current &lt;= FROM and TO &lt;= target, by FROM. Releases without a schema
    /// change have no script (1.26 → 1.27), so gaps are fine; overlapping scripts are an error.
    /// A target older than the database is a downgrade: refused (exit 2), naming both versions.
    /// </summary>
    public static IReadOnlyList<UpgradeScript> Plan(SchemaVersion current, SchemaVersion target, IEnumerable<UpgradeScript> available)
    {
        if (target < current)
            throw new InputException(
                $"the database holds the schema of Koji {current}, newer than the stack's Koji {target}: downgrades are not supported " +
                "(point koji.path at a Koji of that version or newer, or restore a backup made before the upgrade)");
        var steps = available.Where(s => s.From < s.To && s.From >= current && s.To <= target)
            .OrderBy(s => s.From).ThenBy(s => s.To).ToList();
        for (var i = 1; i < steps.Count; i++)
            if (steps[i].From < steps[i - 1].To)
                throw new FarmException($"Koji upgrade scripts {steps[i - 1].Name} and {steps[i].Name} overlap");
        return steps;
    }
}

/// <summary>What a Koji source (release tarball or tree) says about itself: its version and its upgrade scripts.</summary>
public sealed partial record KojiTree(string Version, IReadOnlyList<UpgradeScript> Scripts)
{
    public SchemaVersion Schema => SchemaVersion.Parse(Version);

    [GeneratedRegex(@"__version_info__\s*=\s*\((\d+)\s*,\s*(\d+)\s*,\s*(\d+)")]
    private static partial Regex VersionInfo();

    /// <summary>Reads koji/_version.py and the schemas/ listing from a folder or a (gzipped) tarball.</summary>
    public static KojiTree Read(string path)
    {
        if (Directory.Exists(path))
        {
            var version = Directory.EnumerateFiles(path, "_version.py", SearchOption.AllDirectories)
                .FirstOrDefault(f => Path.GetFileName(Path.GetDirectoryName(f)) == "koji")
                ?? throw new FarmException($"Koji source {path} has no koji/_version.py");
            var schemas = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(version))!, "schemas");
            return new KojiTree(ParseVersion(File.ReadAllText(version), path),
                SchemaUpgrade.Scripts(Directory.Exists(schemas) ? Directory.EnumerateFiles(schemas) : []));
        }
        if (!File.Exists(path))
            throw new FarmException($"Koji source {path} does not exist");
        using var file = File.OpenRead(path);
        Stream stream = file;
        var magic = new byte[2];
        if (file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            file.Position = 0;
            stream = new GZipStream(file, CompressionMode.Decompress);
        }
        else
            file.Position = 0;
        using var reader = new TarReader(stream);
        string? found = null;
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            var name = entry.Name.Replace('\\', '/');
            var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && parts[^2] == "schemas" && parts.Length <= 3)
                names.Add(parts[^1]);
            else if (found is null && parts.Length is >= 2 and <= 3 && parts[^1] == "_version.py" && parts[^2] == "koji" && entry.DataStream is { } data)
                found = new StreamReader(data).ReadToEnd();
        }
        return new KojiTree(ParseVersion(found ?? throw new FarmException($"Koji source {path} has no koji/_version.py"), path),
            SchemaUpgrade.Scripts(names));
    }

    internal static string ParseVersion(string versionPy, string where)
    {
        var m = VersionInfo().Match(versionPy);
        return m.Success
            ? $"{m.Groups[1].Value}.{m.Groups[2].Value}.{m.Groups[3].Value}"
            : throw new FarmException($"Koji source {where}: cannot read __version_info__ from koji/_version.py");
    }
}
