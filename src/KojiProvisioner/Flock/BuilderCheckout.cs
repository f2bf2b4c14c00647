using KojiProvisioner.Docker;

namespace KojiProvisioner.Flock;

/// <summary>
/// Reads specs where kojid checks them out: a shallow git clone inside a builder container, so the
/// package-git server needs to be reachable from the builders only (as for the builds themselves),
/// and the commit a branch points at is the one the build will use.
/// </summary>
public sealed class BuilderCheckout(DockerEngine engine, string builderContainer) : IFlockSource
{
    // $1 url, $2 ref, $3 spec path. A branch or tag clones shallow; a commit needs the full history.
    private const string Script = """
        set -e
        d=$(mktemp -d)
        trap 'rm -rf "$d"' EXIT
        if ! git clone -q --depth 1 --branch "$2" "$1" "$d/r" 2>/dev/null; then
          rm -rf "$d/r"
          git clone -q "$1" "$d/r"
          git -C "$d/r" checkout -q "$2"
        fi
        echo "commit $(git -C "$d/r" rev-parse HEAD)"
        if [ ! -f "$d/r/$3" ]; then echo "no spec $3 in $1 at $2" >&2; exit 3; fi
        cat "$d/r/$3"
        """;

    public async Task<FlockSpec> ReadAsync(FlockItem item, CancellationToken ct)
    {
        var result = await engine.ExecAsync(builderContainer,
            ["sh", "-c", Script, "sh", item.Repository.Url, item.Repository.Ref, item.Package.Spec], ct);
        if (result.ExitCode != 0)
            throw new FarmException($"package {item.Name}: cannot read {item.Package.Spec} of {item.Repository.Url} at {item.Repository.Ref} from builder {builderContainer}: {result.Stderr.Trim()}");
        var newline = result.Stdout.IndexOf('\n');
        var first = newline < 0 ? result.Stdout : result.Stdout[..newline];
        if (!first.StartsWith("commit ", StringComparison.Ordinal))
            throw new FarmException($"package {item.Name}: unexpected output from the checkout on {builderContainer}: {first}");
        return new FlockSpec(first["commit ".Length..].Trim(), newline < 0 ? "" : result.Stdout[(newline + 1)..]);
    }
}
