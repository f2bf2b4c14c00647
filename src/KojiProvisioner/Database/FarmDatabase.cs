using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Database;

/// <summary>What the farm's running containers say about Koji: the database's schema version, the hub's Koji version.</summary>
public static class FarmDatabase
{
    /// <summary>The table the hub image's bootstrap writes one row to per schema load or upgrade (koji-farm bootstrap-hub).</summary>
    public const string SchemaLog = "koji_farm_schema_log";

    /// <summary>psql as the postgres superuser over the local socket (peer login: no password needed).</summary>
    private static async Task<string> QueryAsync(DockerEngine engine, string db, string sql, CancellationToken ct)
    {
        var result = await engine.ExecAsync(db, ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--",
            "sh", "-c", "exec psql -X -q -tA -v ON_ERROR_STOP=1 -d \"$POSTGRES_DB\" -c \"$1\"", "psql", sql], ct);
        if (result.ExitCode != 0)
            throw new FarmException($"querying the Koji database in container {db}: {result}");
        return result.Stdout.Trim();
    }

    /// <summary>
    /// The schema version the database holds; null when it has no Koji schema yet. A database made
    /// before koji-farm logged its schema is read the way the hub's bootstrap reads it: 1.35 when it
    /// has 1.35's repo_queue, else 1.34.
    /// </summary>
    public static async Task<SchemaVersion?> SchemaVersionAsync(DockerEngine engine, string db, CancellationToken ct)
    {
        var flags = await QueryAsync(engine, db,
            $"SELECT (to_regclass('public.users') IS NOT NULL)::int || '' || (to_regclass('public.{SchemaLog}') IS NOT NULL)::int || '' || (to_regclass('public.repo_queue') IS NOT NULL)::int", ct);
        if (flags.Length != 3 || flags[0] != '1')
            return null;
        var logged = flags[1] == '1' ? await QueryAsync(engine, db, $"SELECT to_version FROM {SchemaLog} ORDER BY id DESC LIMIT 1", ct) : null;
        return SchemaFrom(logged, flags[2] == '1');
    }

    /// <summary>A Koji schema's version: the last one koji-farm logged, else 1.35 when it has 1.35's repo_queue, else 1.34.</summary>
    internal static SchemaVersion SchemaFrom(string? logged, bool hasRepoQueue) =>
        logged is { Length: > 0 } ? SchemaVersion.Parse(logged) : hasRepoQueue ? new SchemaVersion(1, 35) : new SchemaVersion(1, 34);

    /// <summary>How many times each upgrade script ran on this database (from koji-farm's schema log).</summary>
    public static async Task<IReadOnlyList<string>> UpgradesRunAsync(DockerEngine engine, string db, CancellationToken ct)
    {
        var text = await QueryAsync(engine, db,
            $"SELECT CASE WHEN to_regclass('public.{SchemaLog}') IS NULL THEN '' ELSE 'y' END", ct);
        if (text != "y")
            return [];
        var rows = await QueryAsync(engine, db, $"SELECT script FROM {SchemaLog} WHERE action = 'upgrade' ORDER BY id", ct);
        return rows.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The Koji release installed in a running Koji container (hub).</summary>
    public static async Task<string> KojiVersionAsync(DockerEngine engine, string container, CancellationToken ct)
    {
        var result = await engine.ExecAsync(container, ["/usr/bin/python3", "-c", "import koji; print(koji.__version__)"], ct);
        return result.ExitCode == 0 ? result.Stdout.Trim() : throw new FarmException($"reading the Koji version in container {container}: {result}");
    }

    /// <summary>
    /// A helper container (<see cref="HelperContainer"/>) of the database's image, only to reach a
    /// volume through the archive API (it works on a stopped farm too). Labelled with the stack, so
    /// a run killed while it exists leaves one the next `up` or `down` removes.
    /// </summary>
    public static Task<HelperLease> VolumeAccessAsync(DockerEngine engine, FarmDefinition definition, string volume, string target,
        bool readOnly, string purpose, CancellationToken ct) =>
        engine.CreateHelperAsync(new HelperContainer(definition.Stack.Name, purpose,
            // An external database leaves no db container in the plan: the hub's image serves as well.
            (definition.Plan.Containers.FirstOrDefault(c => c.Role == Roles.Db) ?? definition.Plan.Containers.First(c => c.Role == Roles.Hub)).Image,
            [new Mount(volume, target, readOnly)], definition.Plan.Labels), ct);
}
