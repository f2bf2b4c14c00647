namespace KojiProvisioner.Config;

/// <summary>
/// hub.conf's <c>[policy]</c> section from the stack's <c>hub.policy</c>: policy name → rule lines in
/// Koji's own syntax (koji/policy.py <c>SimpleRuleSet</c>). Koji reads any name and only fails, or
/// silently never uses a misspelt one, when a call consults it; so names and rules are checked here.
/// </summary>
public static class HubPolicy
{
    /// <summary>The policies Koji 1.35's hub consults (check_policy/assert_policy and _default_policies in kojihub).</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "tag", "build_from_srpm", "build_from_scm", "build_from_repo_id", "build_rpm", "package_list", "channel",
        "cg_import", "vm", "volume", "priority", "draft_promotion", "dist_repo",
    };

    /// <summary>Permissions the policy's <c>has_perm</c> tests name (patterns left out): a company's own, such as <c>build</c>, that `user add` may create.</summary>
    public static IReadOnlySet<string> PermissionsNamed(IReadOnlyDictionary<string, List<string>> policy) =>
        policy.Values.SelectMany(lines => lines)
            .SelectMany(line => line.Split('#', 2)[0].Split(["::", "!!"], StringSplitOptions.None)[0].Split("&&"))
            .Select(test => test.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words.Length > 1 && words[0] == "has_perm")
            .SelectMany(words => words.Skip(1))
            .Where(p => p.IndexOfAny(['*', '?', '[']) < 0)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The first problem of a policy's rules as (line index, what is wrong), or null. A rule is
    /// <c>test [args] [&amp;&amp; test [args]]... :: action</c> (or <c>!!</c>: the action when the tests
    /// fail); <c>:: {</c> opens nested rules that a line of its own, <c>}</c>, closes; <c>#</c> starts a comment.
    /// </summary>
    public static (int Line, string Problem)? Problem(IReadOnlyList<string> lines)
    {
        if (lines.Count == 0)
            return (0, "no rules: a policy needs at least one line such as `all :: allow`");
        var depth = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = (lines[i] ?? "").Split('#', 2)[0].Trim();
            if (line.Length == 0)
                continue;
            if (line == "}")
            {
                if (--depth < 0)
                    return (i, "`}` closes no `:: {` block");
                continue;
            }
            // As Koji does: the last `::`, else the last `!!`, splits the tests from the action
            var pos = line.LastIndexOf("::", StringComparison.Ordinal);
            if (pos < 0)
                pos = line.LastIndexOf("!!", StringComparison.Ordinal);
            if (pos < 0)
                return (i, $"`{line}` has no `::` (or `!!`) before its action, e.g. `has_perm admin :: allow`");
            var tests = line[..pos];
            var action = line[(pos + 2)..].Trim();
            if (action.Length == 0)
                return (i, $"`{line}` has no action after `::` (e.g. allow, deny REASON, or `{{` for nested rules)");
            if (tests.Contains("::", StringComparison.Ordinal) || tests.Contains("!!", StringComparison.Ordinal) || tests.IndexOfAny(['{', '}']) >= 0
                || (action.IndexOfAny(['{', '}']) >= 0 && action != "{"))
                return (i, $"`{line}`: a nested block opens with `:: {{` alone at the end of the line");
            if (action == "{")
                depth++;
            if (tests.Split("&&").Any(t => t.Trim().Length == 0))
                return (i, $"`{line}` has an empty test (every `&&` joins two tests, and a rule starts with one, e.g. `all`)");
        }
        return depth > 0 ? (lines.Count - 1, $"{depth} `:: {{` block(s) not closed by a `}}` line") : null;
    }
}
