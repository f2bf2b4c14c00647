using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KojiProvisioner.Flock;

/// <summary>One package folder turned into a package-git repository.</summary>
public sealed record ImportedPackage(string Name, string Version, string Folder, string Repository, string Spec, int PatchVersion, string PatchVersionFrom, string Commit);

/// <summary>Where the import writes and what the manifest says about each repository.</summary>
public sealed record StarlingXImportOptions(string From, string Out, string Manifest, string GitUrlBase, IReadOnlyList<string> Tags,
    string Owner, int? PatchVersion);

/// <summary>
/// A StarlingX-style tree (one folder per package: <c>centos/NAME.spec</c> and <c>centos/build_srpm.data</c>)
/// moved into per-spec package-git repositories the way StarlingX's build_srpm made an SRPM's inputs:
/// the spec at the root; <c>SRC_DIR</c> packed as <c>NAME-VERSION.tar.gz</c> with the top folder
/// <c>NAME-VERSION/</c>; <c>COPY_LIST</c> files beside the spec; one commit. The release number
/// (<c>TIS_PATCH_VER=PKG_GITREVCOUNT</c>: commits touching the folder) is kept in the spec as the default of
/// <c>%{tis_patch_ver}</c>: counted from git when the tree is a git work tree, else the value given
/// (0 by default: a plain tree, e.g. from <c>git archive</c>, has no history). The manifest lists each
/// repository in the format <see cref="Content.FlockManifest"/> reads.
/// </summary>
public static partial class StarlingXImport
{
    public const string DataFile = "build_srpm.data";

    public static IReadOnlyList<ImportedPackage> Run(StarlingXImportOptions options, IProgress<string>? progress = null)
    {
        var from = Path.GetFullPath(options.From);
        if (!Directory.Exists(from))
            throw new InputException($"--from {options.From}: no such folder");
        var folders = PackageFolders(from);
        if (folders.Count == 0)
            throw new InputException($"--from {options.From}: no package folder (a folder with centos/{DataFile} and centos/NAME.spec)");
        // Every folder is checked before anything is written.
        var packages = folders.Select(f => Read(from, f)).ToList();
        var duplicate = packages.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InputException($"package {duplicate.Key} is in two folders: {string.Join(", ", duplicate.Select(p => p.Folder))}");
        var gitTree = Git(from, "rev-parse", "--is-inside-work-tree") is { Code: 0 };
        Directory.CreateDirectory(options.Out);
        var done = new List<ImportedPackage>();
        foreach (var p in packages)
        {
            var repo = Path.Combine(Path.GetFullPath(options.Out), p.Name);
            if (Directory.Exists(repo) && Directory.EnumerateFileSystemEntries(repo).Any())
                throw new InputException($"{repo}: already exists and is not empty: import into a new --out folder");
            var (count, how) = p.PatchVersion is { } fixedValue ? (fixedValue, "build_srpm.data")
                : gitTree ? (CommitsTouching(from, p.Folder), "git history of " + p.Folder)
                : (options.PatchVersion ?? 0, options.PatchVersion is null ? "plain tree: no history, 0" : "given");
            var commit = MakeRepository(from, p, repo, count);
            done.Add(new ImportedPackage(p.Name, p.Version, p.Folder, repo, Path.GetFileName(p.Spec), count, how, commit));
            progress?.Report($"{p.Name}-{p.Version}: {repo} (tis_patch_ver {count}: {how}), commit {commit[..12]}");
        }
        File.WriteAllText(options.Manifest, Manifest(done, options));
        return done;
    }

    /// <summary>The package folders: those <c>centos_pkg_dirs</c> lists, else every folder with a <c>centos/</c> folder.</summary>
    private static List<string> PackageFolders(string from)
    {
        var list = Path.Combine(from, "centos_pkg_dirs");
        if (File.Exists(list))
            return File.ReadAllLines(list).Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).Distinct().ToList();
        if (Directory.Exists(Path.Combine(from, "centos")))
            return ["."];
        return Directory.GetDirectories(from).Where(d => Directory.Exists(Path.Combine(d, "centos")))
            .Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
    }

    private sealed record PackageFolder(string Folder, string Path, string Spec, string Name, string Version, string? SrcDir, IReadOnlyList<string> CopyList, int? PatchVersion);

    private static PackageFolder Read(string from, string folder)
    {
        var dir = Path.GetFullPath(Path.Combine(from, folder));
        var centos = Path.Combine(dir, "centos");
        var data = Path.Combine(centos, DataFile);
        if (!Directory.Exists(dir))
            throw new InputException($"package folder {folder}: no such folder");
        if (!File.Exists(data))
            throw new InputException($"package folder {folder}: no centos/{DataFile}");
        var specs = Directory.Exists(centos) ? Directory.GetFiles(centos, "*.spec") : [];
        if (specs.Length != 1)
            throw new InputException($"package folder {folder}: {(specs.Length == 0 ? "no spec" : "several specs")} in centos/ (one NAME.spec expected)");
        var values = ParseData(File.ReadAllText(data), dir);
        var specText = File.ReadAllText(specs[0]);
        var name = SpecValue(specText, "Name") ?? throw new InputException($"package folder {folder}: {Path.GetFileName(specs[0])} has no Name:");
        var version = SpecValue(specText, "Version") ?? throw new InputException($"package folder {folder}: {Path.GetFileName(specs[0])} has no Version:");
        int? patch = null;
        if (values.TryGetValue("TIS_PATCH_VER", out var tpv) && !tpv.StartsWith("PKG_GITREVCOUNT", StringComparison.Ordinal))
            patch = int.TryParse(tpv, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new InputException($"package folder {folder}: TIS_PATCH_VER={tpv} is neither a number nor PKG_GITREVCOUNT");
        var srcDir = values.GetValueOrDefault("SRC_DIR");
        if (srcDir is not null && !Directory.Exists(Path.Combine(dir, srcDir)))
            throw new InputException($"package folder {folder}: SRC_DIR {srcDir} is not a folder");
        var copy = values.TryGetValue("COPY_LIST", out var cl) ? cl.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        return new PackageFolder(folder, dir, specs[0], name, version, srcDir, copy, patch);
    }

    /// <summary>
    /// build_srpm.data is shell: <c>KEY="value"</c> lines, <c>$PKG_BASE</c> the package folder and
    /// <c>$FILES_BASE</c> its <c>centos/files</c>. Only assignments are read; nothing is run.
    /// </summary>
    internal static Dictionary<string, string> ParseData(string text, string packageBase)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in Assignment().Matches(text))
        {
            var raw = m.Groups["value"].Value.Trim();
            if (raw.Length >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[^1] == raw[0])
                raw = raw[1..^1];
            var value = Regex.Replace(raw, @"\$\{?(PKG_BASE|FILES_BASE)\}?", v => v.Groups[1].Value == "PKG_BASE"
                ? packageBase : Path.Combine(packageBase, "centos", "files"));
            values[m.Groups["key"].Value] = value;
        }
        return values;
    }

    /// <summary>A spec header's value with the spec's own %define/%global macros expanded.</summary>
    internal static string? SpecValue(string spec, string header)
    {
        var m = Regex.Match(spec, $@"^{header}\s*:\s*(\S+)\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase);
        if (!m.Success) return null;
        var defines = Regex.Matches(spec, @"^%(?:define|global)\s+(\w+)\s+(\S+)\s*$", RegexOptions.Multiline)
            .ToDictionary(d => d.Groups[1].Value, d => d.Groups[2].Value);
        return Regex.Replace(m.Groups[1].Value, @"%\{?(\w+)\}?", x => defines.GetValueOrDefault(x.Groups[1].Value, x.Value));
    }

    private static int CommitsTouching(string from, string folder)
    {
        var r = Git(from, "rev-list", "--count", "HEAD", "--", folder);
        return r.Code == 0 ? int.Parse(r.Out.Trim(), CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>The spec's first line: the package's release number, which a tag macro of the same name overrides.</summary>
    internal static string PatchVersionLine(int count) => $"%{{!?tis_patch_ver:%global tis_patch_ver {count}}}";

    private static string MakeRepository(string from, PackageFolder p, string repo, int patchVersion)
    {
        Directory.CreateDirectory(repo);
        var spec = File.ReadAllText(p.Spec);
        File.WriteAllText(Path.Combine(repo, Path.GetFileName(p.Spec)),
            $"# tis_patch_ver: {patchVersion} (StarlingX's TIS_PATCH_VER of {p.Folder})\n{PatchVersionLine(patchVersion)}\n{spec}");
        if (p.SrcDir is not null)
            PackSources(Path.Combine(p.Path, p.SrcDir), $"{p.Name}-{p.Version}", Path.Combine(repo, $"{p.Name}-{p.Version}.tar.gz"));
        foreach (var pattern in p.CopyList)
        {
            var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(p.Path, pattern);
            var dir = Path.GetDirectoryName(full)!;
            var matches = Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir, Path.GetFileName(full)) : [];
            if (matches.Length == 0)
                throw new InputException($"package folder {p.Folder}: COPY_LIST entry {pattern} matches no file");
            foreach (var match in matches.Order(StringComparer.Ordinal))
                CopyEntry(match, Path.Combine(repo, Path.GetFileName(match)));
        }
        Check(Git(repo, "init", "-q", "-b", "master"), repo);
        Check(Git(repo, "add", "-A"), repo);
        Check(Git(repo, "-c", "user.name=koji-farm flock import", "-c", "user.email=flock-import@localhost", "commit", "-q",
            "-m", $"{p.Name} {p.Version}: imported from {p.Folder} (tis_patch_ver {patchVersion})"), repo);
        return Git(repo, "rev-parse", "HEAD").Out.Trim();
    }

    private static void CopyEntry(string source, string target)
    {
        if (Directory.Exists(source))
        {
            Directory.CreateDirectory(target);
            foreach (var e in Directory.GetFileSystemEntries(source))
                CopyEntry(e, Path.Combine(target, Path.GetFileName(e)));
            return;
        }
        File.Copy(source, target, overwrite: true);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(target, File.GetUnixFileMode(source));
    }

    /// <summary><c>tar czf</c> of the folder as <c>top/</c>, reproducible (names sorted, owner 0, fixed times, gzip without a name or time).</summary>
    private static void PackSources(string folder, string top, string tarball)
    {
        var stage = Directory.CreateTempSubdirectory("flock-import-");
        try
        {
            CopyEntry(folder, Path.Combine(stage.FullName, top));
            var r = Run("sh", stage.FullName, "-c",
                $"tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - '{top}' | gzip -n -9 > '{tarball}'");
            if (r.Code != 0)
                throw new FarmException($"packing {folder} as {tarball} failed: {r.Err.Trim()}");
        }
        finally
        {
            stage.Delete(recursive: true);
        }
    }

    private static string Manifest(IReadOnlyList<ImportedPackage> packages, StarlingXImportOptions options)
    {
        var uri = new Uri(options.GitUrlBase.TrimEnd('/') + "/");
        var text = new StringBuilder();
        text.AppendLine("# Package-git repositories made by `koji-farm flock import` from a StarlingX-style tree.");
        text.AppendLine("# Each spec's release is %{tis_patch_ver}%{?_tis_dist}: the number is in the spec (its");
        text.AppendLine("# history-derived TIS_PATCH_VER); the build tag's extra rpm.macro._tis_dist gives the dist.");
        text.AppendLine($"package_owner: {options.Owner}");
        text.AppendLine("allowed_scms:");
        text.AppendLine($"  - \"{uri.Host}:{uri.AbsolutePath}*:no:\"");
        text.AppendLine("repositories:");
        foreach (var p in packages)
        {
            text.AppendLine($"  - name: {p.Name}");
            text.AppendLine($"    url: {options.GitUrlBase.TrimEnd('/')}/{p.Name}");
            text.AppendLine("    ref: master");
            text.AppendLine($"    tags: [{string.Join(", ", options.Tags)}]");
            text.AppendLine("    packages:");
            text.AppendLine($"      - {{ name: {p.Name}, spec: {p.Spec} }}");
        }
        return text.ToString();
    }

    private static void Check((int Code, string Out, string Err) r, string where)
    {
        if (r.Code != 0)
            throw new FarmException($"git in {where} failed: {r.Err.Trim()}");
    }

    private static (int Code, string Out, string Err) Git(string dir, params string[] args) => Run("git", dir, ["-C", dir, .. args]);

    private static (int Code, string Out, string Err) Run(string file, string dir, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new FarmException($"cannot start {file}");
        var err = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, err.Result);
    }

    [GeneratedRegex(@"^\s*(?<key>[A-Z_][A-Z0-9_]*)=(?<value>.*)$", RegexOptions.Multiline)]
    private static partial Regex Assignment();
}
