using System.Text.RegularExpressions;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Flock;

/// <summary>
/// The line of a failed task's logs that says why, for a summary a release engineer can act on:
/// a requirement dnf could not install into the buildroot (root.log), else the first error of the
/// build itself (build.log: a command not found, a permission denied, rpmbuild's <c>error:</c>).
/// </summary>
public static partial class BuildLogs
{
    /// <summary>Enough of a log to find its first error (the hub's logs of one task rarely exceed it).</summary>
    private const int MaxBytes = 4 * 1024 * 1024;

    public static async Task<string?> FirstErrorAsync(IKojiHub hub, int taskId, CancellationToken ct)
    {
        try
        {
            var files = await hub.FileNamesAsync(taskId, ct);
            var root = files.Contains("root.log") ? await hub.TextAsync(taskId, "root.log", MaxBytes, ct) : "";
            var build = files.Contains("build.log") ? await hub.TextAsync(taskId, "build.log", MaxBytes, ct) : "";
            return FirstError(root, build);
        }
        catch (Exception e) when (e is KojiFaultException or FormatException)
        {
            return null; // the summary still names the log's URL
        }
    }

    /// <summary>The message for a failed task's root.log and build.log (either may be empty); null when neither says.</summary>
    public static string? FirstError(string rootLog, string buildLog)
    {
        if (MissingRequirement().Match(rootLog) is { Success: true } missing)
        {
            var requirement = missing.Groups["req"].Value;
            return Pinned().IsMatch(requirement)
                ? $"BuildRequires {requirement}: the buildroot has no such package; a version pinned to a distribution's own build needs a connected line with that distribution's repositories (an offline buildroot cannot provide it)"
                : $"BuildRequires {requirement}: no package in the buildroot provides it (map the name to a Debian package in the line's {DebianPackageMap.ExtraKey}, or build it in the Flock first)";
        }
        return FirstMatch(buildLog) ?? FirstMatch(rootLog);
    }

    private static string? FirstMatch(string log)
    {
        foreach (var raw in log.Split('\n'))
        {
            var line = MockPrefix().Replace(raw.TrimEnd('\r'), "").Trim();
            if (line.Length > 0 && !line.StartsWith("RPM build errors", StringComparison.Ordinal) && ErrorLine().IsMatch(line))
                return line.Length > 400 ? line[..400] + " ..." : line;
        }
        return null;
    }

    // dnf: "No matching package to install: 'systemd = 219-78.el7_9.3'"; dnf 4 also "nothing provides ...".
    [GeneratedRegex(@"No matching package to install: '(?<req>[^']+)'|nothing provides (?<req>\S+(?: [<>=]+ \S+)?)")]
    private static partial Regex MissingRequirement();

    // A version with a distribution's release suffix (el7, el7_9, fc38, centos).
    [GeneratedRegex(@"=\s*\S*\.(el\d|fc\d|centos|amzn)", RegexOptions.IgnoreCase)]
    private static partial Regex Pinned();

    // mock's root.log lines: "DEBUG util.py:446:  text".
    [GeneratedRegex(@"^(DEBUG|INFO|WARNING|ERROR)\s+\S+\.py:\d+:\s*")]
    private static partial Regex MockPrefix();

    [GeneratedRegex(@"(^|\s)(error|Error|ERROR):|command not found|Permission denied|No such file or directory|cannot |Bad exit status|^Error\b")]
    private static partial Regex ErrorLine();
}

/// <summary>The summary line of a Flock build: how many built (and how many of those now), failed, skipped.</summary>
public static class FlockSummary
{
    public static string Counts(FlockBuildReport report)
    {
        var ok = report.Rows.Where(r => r.Ok).ToList();
        var failed = report.Rows.Where(r => r.State == FlockBuildRow.Failed).Select(r => r.Package).ToList();
        var skipped = report.Rows.Where(r => r.State == FlockBuildRow.Skipped).Select(r => r.Package).ToList();
        return $"built: {ok.Count} ({ok.Count(r => r.Submitted)} now, {ok.Count(r => !r.Submitted)} already at their refs); " +
            $"failed: {failed.Count}{(failed.Count > 0 ? $" ({string.Join(", ", failed)})" : "")}; " +
            $"skipped: {skipped.Count}{(skipped.Count > 0 ? $" ({string.Join(", ", skipped)})" : "")}";
    }
}
