namespace KojiProvisioner.Flock;

/// <summary>
/// One package as `flock build` plans it: its layer, the build tag whose repo it waits for, the
/// source it is built from and the commit its ref is, the selected packages it BuildRequires, and
/// the build already made from that commit (then it is not submitted).
/// </summary>
public sealed record FlockPlannedBuild(FlockItem Item, int Layer, string BuildTag, string Source, string Commit,
    IReadOnlyList<string> Needs, FlockBuildRow? Built)
{
    public bool Submit => Built is null;

    /// <summary>Why it is submitted or skipped, in words.</summary>
    public string Reason => Built is { } b
        ? $"{b.Nvr} is already built from commit {Short(Commit)}"
        : $"not built from commit {Short(Commit)} yet" +
          (Needs.Count == 0 ? "" : $"; BuildRequires {string.Join(", ", Needs)} (skipped if one of them fails)");

    public static string Short(string commit) => commit[..Math.Min(12, commit.Length)];
}

/// <summary>What `flock build` submits, layer by layer; `flock build --dry-run` prints it and stops.</summary>
public sealed record FlockBuildPlan(IReadOnlyList<IReadOnlyList<FlockPlannedBuild>> Layers)
{
    public IEnumerable<FlockPlannedBuild> Builds => Layers.SelectMany(l => l);

    public int Submitted => Builds.Count(b => b.Submit);

    /// <summary>The build tags a layer waits for a repo of before its submissions (none when it submits nothing).</summary>
    public static IReadOnlyList<string> RepoWaits(IReadOnlyList<FlockPlannedBuild> layer) =>
        layer.Where(b => b.Submit).Select(b => b.BuildTag).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The plan as text: a heading per layer with the repo it waits for, a line per package.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>();
        foreach (var layer in Layers)
        {
            var n = layer[0].Layer;
            var waits = RepoWaits(layer);
            lines.Add(waits.Count == 0
                ? $"layer {n}: nothing to submit"
                : $"layer {n}: after a repo of {string.Join(", ", waits)}{(n == 1 ? "" : $" that holds layer {n - 1}'s builds")}");
            var width = layer.Max(b => b.Item.Name.Length);
            foreach (var b in layer)
                lines.Add(b.Submit
                    ? $"  submit {b.Item.Name.PadRight(width)}  {b.Source} to {b.Item.Target}: {b.Reason}"
                    : $"  skip   {b.Item.Name.PadRight(width)}  {b.Reason}");
        }
        lines.Add(Submitted == 0
            ? $"all {Builds.Count()} package(s) are built at their refs: nothing would be submitted"
            : $"{Submitted} build(s) would be submitted in {Layers.Count} layer(s); dry run: nothing was sent to the hub");
        return lines;
    }
}
