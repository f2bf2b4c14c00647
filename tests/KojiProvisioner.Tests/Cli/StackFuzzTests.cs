using KojiProvisioner.Tests.Support;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KojiProvisioner.Tests.Cli;

/// <summary>
/// Every key of the demo stack, broken in the ways a careless user or a hostile pull request would:
/// an unknown key beside it, a wrong type, empty, huge, control characters, path-like values.
/// `render` (which writes the state folder and every config file) must exit 0 or 2, never print a
/// stack trace, and write nothing at all when it exits 2.
/// </summary>
public class StackFuzzTests
{
    private static readonly (string Name, Func<YamlNode> Make)[] Mutations =
    [
        ("empty", () => new YamlScalarNode("") { Style = ScalarStyle.DoubleQuoted }),
        ("huge", () => new YamlScalarNode(new string('a', 70_000))),
        ("newline", () => new YamlScalarNode("x\n[policy]\ntag = all :: allow") { Style = ScalarStyle.DoubleQuoted }),
        ("trailing newline", () => new YamlScalarNode("demo\n") { Style = ScalarStyle.DoubleQuoted }),
        ("NUL", () => new YamlScalarNode("x\0y") { Style = ScalarStyle.DoubleQuoted }),
        ("CR", () => new YamlScalarNode("x\r") { Style = ScalarStyle.DoubleQuoted }),
        ("dot-dot path", () => new YamlScalarNode("../../x")),
        ("absolute path", () => new YamlScalarNode("/etc/passwd")),
        ("home", () => new YamlScalarNode("~") { Style = ScalarStyle.SingleQuoted }),
        ("space", () => new YamlScalarNode(" ") { Style = ScalarStyle.SingleQuoted }),
        ("negative", () => new YamlScalarNode("-1")),
        ("huge number", () => new YamlScalarNode("99999999999999999999")),
        ("map", () => new YamlMappingNode(new YamlScalarNode("a"), new YamlScalarNode("1"))),
        ("list", () => new YamlSequenceNode(new YamlScalarNode("1"), new YamlScalarNode("2"))),
    ];

    [Fact]
    public async Task Every_key_of_the_demo_stack_broken_every_way_exits_0_or_2_without_a_trace_and_writes_nothing_on_2()
    {
        using var work = new TempDir();
        var baseline = Load(File.ReadAllText(Path.Combine(RepoRoot.Path, "stacks", "demo.yaml")));
        // A Koji "source" that exists: render only hashes it.
        ((YamlMappingNode)baseline.Children[new YamlScalarNode("koji")]).Children[new YamlScalarNode("path")] = new YamlScalarNode("koji-src.tar.gz");

        // One state folder made up front and copied into every case, so each run signs little.
        var seed = Case(work, "seed", baseline);
        var made = await CliRun.RunAsync("render", "--stack", seed.Stack, "--out", seed.Out);
        Assert.True(made.ExitCode == 0, made.ToString());
        var state = Path.Combine(Path.GetDirectoryName(seed.Stack)!, ".state");

        var failures = new List<string>();
        var cases = 0;
        foreach (var (path, parent, key) in Keys(baseline, ""))
        {
            foreach (var (name, make) in Mutations.Append(("unknown key beside it", () => null!)))
            {
                var doc = Load(Save(baseline));
                var (_, p, k) = Keys(doc, "").Single(x => x.Path == path);
                if (name == "unknown key beside it")
                {
                    if (p is YamlMappingNode map) map.Children[new YamlScalarNode("bogusKey")] = new YamlScalarNode("1");
                    else continue;
                }
                else if (p is YamlMappingNode map)
                    map.Children[k] = make();
                else
                    ((YamlSequenceNode)p).Children[int.Parse(((YamlScalarNode)k).Value!)] = make();

                var c = Case(work, $"c{cases++}", doc);
                CopyTree(state, Path.Combine(Path.GetDirectoryName(c.Stack)!, ".state"));
                var before = Snapshot(c.Root);
                var run = await CliRun.RunAsync("render", "--stack", c.Stack, "--out", c.Out);
                var what = $"{path} {name}: {run}";
                if (run.ExitCode is not (0 or 2))
                    failures.Add($"exit {run.ExitCode}: {what}");
                else if (run.HasStackTrace)
                    failures.Add($"stack trace: {what}");
                else if (run.ExitCode == 2 && Snapshot(c.Root) != before)
                    failures.Add($"wrote files on exit 2: {what}");
                else if (run.ExitCode == 2 && !run.Error.StartsWith("koji-farm: ", StringComparison.Ordinal))
                    failures.Add($"no one-line error: {what}");
                Directory.Delete(c.Root, recursive: true);
            }
        }
        Assert.True(cases > 200, $"only {cases} cases");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(10)) + $"\n\n{failures.Count} of {cases} cases failed");
    }

    private sealed record CaseFiles(string Root, string Stack, string Out);

    /// <summary>The stack two folders down, so that `../../x` stays inside the case's own folder.</summary>
    private static CaseFiles Case(TempDir work, string name, YamlMappingNode doc)
    {
        var root = Path.Combine(work.Path, name);
        var dir = Path.Combine(root, "a", "b");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "koji-src.tar.gz"), "not a tarball; only hashed");
        var stack = Path.Combine(dir, "stack.yaml");
        File.WriteAllText(stack, Save(doc));
        return new CaseFiles(root, stack, Path.Combine(root, "out"));
    }

    /// <summary>Every key (and list item) with its parent, depth first.</summary>
    private static IEnumerable<(string Path, YamlNode Parent, YamlNode Key)> Keys(YamlNode node, string path)
    {
        if (node is YamlMappingNode map)
        {
            foreach (var (k, v) in map.Children.ToList())
            {
                var p = path.Length == 0 ? ((YamlScalarNode)k).Value! : $"{path}.{((YamlScalarNode)k).Value}";
                yield return (p, map, k);
                foreach (var inner in Keys(v, p))
                    yield return inner;
            }
        }
        else if (node is YamlSequenceNode seq)
        {
            for (var i = 0; i < seq.Children.Count; i++)
            {
                var p = $"{path}[{i}]";
                yield return (p, seq, new YamlScalarNode(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                foreach (var inner in Keys(seq.Children[i], p))
                    yield return inner;
            }
        }
    }

    private static YamlMappingNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Save(YamlMappingNode doc)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(doc)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static string Snapshot(string root) => string.Join("\n",
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(e => File.Exists(e) ? $"{e} {new FileInfo(e).Length} {File.GetLastWriteTimeUtc(e).Ticks}" : e));

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
