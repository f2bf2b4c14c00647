using System.Net.Sockets;
using System.Security.Authentication;
using KojiProvisioner.Farm;
using Npgsql;

namespace KojiProvisioner.Database;

/// <summary>What an external PostgreSQL holds, read before `up` changes anything.</summary>
/// <param name="Schema">The Koji schema version; null: no Koji schema yet.</param>
/// <param name="OtherTables">Tables that are neither Koji's (when it has no Koji schema) nor koji-farm's own records.</param>
/// <param name="OwnerFingerprint">The state folder (CA fingerprint) of the farm that claimed the database; null: none did.</param>
public sealed record ExternalDatabaseState(SchemaVersion? Schema, int OtherTables, string? OwnerFingerprint, string? OwnerStack)
{
    public bool Empty => Schema is null && OtherTables == 0;
}

/// <summary>
/// The company's PostgreSQL (database.host), reached from this machine with the same settings the
/// hub uses: reachable, the password accepted, TLS as database.sslMode says, and whose database it
/// is. koji-farm records the farm that made the schema in <see cref="OwnerTable"/>; a database
/// another farm claimed, a Koji schema nobody claimed, or tables of some other application stop
/// `up` before anything changes. The schema itself is loaded or upgraded by the hub's bootstrap,
/// as in the farm's own container (advisory lock, one transaction).
/// </summary>
public static class ExternalDatabase
{
    /// <summary>One row: the fingerprint of the state folder (its CA) whose farm uses this database.</summary>
    public const string OwnerTable = "koji_farm_owner";
    /// <summary>The hub bootstrap's pg_advisory_xact_lock key (koji-farm bootstrap-hub, SCHEMA_LOCK_KEY).</summary>
    private const long SchemaLockKey = 0x6B6F6A69;

    private static readonly Dictionary<string, SslMode> SslModes = new(StringComparer.Ordinal)
    {
        ["disable"] = SslMode.Disable, ["allow"] = SslMode.Allow, ["prefer"] = SslMode.Prefer,
        ["require"] = SslMode.Require, ["verify-ca"] = SslMode.VerifyCA, ["verify-full"] = SslMode.VerifyFull,
    };

    private static NpgsqlDataSource Source(ExternalDatabaseTarget db)
    {
        var connection = new NpgsqlConnectionStringBuilder
        {
            Host = db.Host, Port = db.Port, Database = db.Name, Username = db.User, Password = db.Password,
            SslMode = SslModes[db.SslMode], RootCertificate = db.CaFile,
            Timeout = 10, CommandTimeout = 60, Pooling = false, ApplicationName = "koji-farm",
        };
        var builder = new NpgsqlSlimDataSourceBuilder(connection.ConnectionString);
        builder.EnableTransportSecurity();
        return builder.Build();
    }

    /// <summary>Opens a connection, or one line saying why not (unreachable: exit 1; refused password, no such database, a certificate TLS does not trust: exit 2).</summary>
    private static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource source, ExternalDatabaseTarget db, CancellationToken ct)
    {
        try
        {
            return await source.OpenConnectionAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            throw new InputException($"the external {db.Where} refuses the password from database.passwordFile ({e.MessageText}); nothing was changed");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            throw new InputException($"the external database server {db.Host}:{db.Port} has no database '{db.Name}' (create it, owned by '{db.User}'); nothing was changed");
        }
        catch (PostgresException e)
        {
            throw new FarmException($"the external {db.Where} refused the connection: {e.MessageText}; nothing was changed");
        }
        catch (NpgsqlException e) when (e.InnerException is AuthenticationException tls)
        {
            throw new InputException($"the external {db.Where}: TLS with sslMode {db.SslMode} failed ({OneLine(tls)}); " +
                "check database.caFile and that the server's certificate names database.host; nothing was changed");
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw new FarmException($"the external {db.Where} does not answer ({OneLine(e)}); nothing was changed");
        }
    }

    private static string OneLine(Exception e)
    {
        var inner = e;
        while (inner.InnerException is { } next)
            inner = next;
        var text = inner == e ? e.Message : $"{e.Message}: {inner.Message}";
        return string.Join(' ', text.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>What the database holds: Koji's schema (read as <see cref="FarmDatabase.SchemaVersionAsync"/> reads the farm's own), other tables, the owner.</summary>
    public static async Task<ExternalDatabaseState> ReadAsync(ExternalDatabaseTarget db, CancellationToken ct)
    {
        await using var source = Source(db);
        await using var connection = await OpenAsync(source, db, ct);
        try
        {
            return await ReadAsync(connection, ct);
        }
        catch (PostgresException e)
        {
            // e.g. a koji_farm_owner table database.user may not read: the database is not the farm's to use as it is.
            throw new InputException($"the external {db.Where}: database.user '{db.User}' cannot read what it holds ({e.MessageText}); nothing was changed");
        }
    }

    private static async Task<ExternalDatabaseState> ReadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var flags = new NpgsqlCommand(
            $"SELECT to_regclass('public.users') IS NOT NULL, to_regclass('public.{FarmDatabase.SchemaLog}') IS NOT NULL, " +
            $"to_regclass('public.repo_queue') IS NOT NULL, to_regclass('public.{OwnerTable}') IS NOT NULL, " +
            "(SELECT count(*)::int FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
            " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') " +
            " AND n.nspname NOT LIKE 'pg\\_%' AND c.relname NOT LIKE 'koji\\_farm\\_%')", connection);
        bool users, log, repoQueue, owned;
        int tables;
        await using (var row = await flags.ExecuteReaderAsync(ct))
        {
            await row.ReadAsync(ct);
            (users, log, repoQueue, owned, tables) = (row.GetBoolean(0), row.GetBoolean(1), row.GetBoolean(2), row.GetBoolean(3), row.GetInt32(4));
        }
        SchemaVersion? schema = null;
        if (users)
        {
            var logged = log ? await ScalarAsync(connection, $"SELECT to_version FROM {FarmDatabase.SchemaLog} ORDER BY id DESC LIMIT 1", ct) : null;
            schema = FarmDatabase.SchemaFrom(logged, repoQueue);
        }
        string? fingerprint = null, stack = null;
        if (owned)
        {
            await using var read = new NpgsqlCommand($"SELECT fingerprint, stack FROM {OwnerTable} ORDER BY claimed_at LIMIT 1", connection);
            await using var row = await read.ExecuteReaderAsync(ct);
            if (await row.ReadAsync(ct))
                (fingerprint, stack) = (row.GetString(0), row.GetString(1));
        }
        return new ExternalDatabaseState(schema, users ? 0 : tables, fingerprint, stack);
    }

    private static async Task<string?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>
    /// Whether this stack may use the database: empty, or claimed by a farm of this stack's name (the
    /// same farm, also when its state folder was purged and made anew: the database outlives
    /// `down --purge`, and the Koji users and hosts in it are names, not certificates). Anything
    /// else is one line, exit 2, before any change.
    /// </summary>
    public static void Check(ExternalDatabaseState found, ExternalDatabaseTarget db, string stack)
    {
        if (found.OwnerStack is { } owner && owner != stack)
            throw new InputException($"stack '{stack}': the external {db.Where} holds the Koji of another farm (stack '{owner}', " +
                $"CA sha256:{found.OwnerFingerprint![..Math.Min(16, found.OwnerFingerprint!.Length)]}); nothing was changed. Give this stack a database of its own");
        if (found.OwnerFingerprint is null && found.Schema is { } schema)
            throw new InputException($"stack '{stack}': the external {db.Where} holds a Koji {schema} schema that no koji-farm farm made " +
                $"(no {OwnerTable} record): another Koji's database, which koji-farm does not take over; nothing was changed");
        if (found.Schema is null && found.OtherTables > 0)
            throw new InputException($"stack '{stack}': the external {db.Where} holds {found.OtherTables} table(s) and no Koji schema: " +
                "Koji goes into an empty database of its own; nothing was changed");
    }

    /// <summary>Records this farm as the database's owner (once, under the hub bootstrap's schema lock), before the hub loads the schema.</summary>
    public static async Task ClaimAsync(ExternalDatabaseTarget db, string fingerprint, string stack, CancellationToken ct)
    {
        await using var source = Source(db);
        await using var connection = await OpenAsync(source, db, ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var sql in new[]
        {
            $"SELECT pg_advisory_xact_lock({SchemaLockKey})",
            $"CREATE TABLE IF NOT EXISTS {OwnerTable} (fingerprint TEXT NOT NULL, stack TEXT NOT NULL, claimed_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync(ct);
        }
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO {OwnerTable} (fingerprint, stack) SELECT @f, @s WHERE NOT EXISTS (SELECT 1 FROM {OwnerTable})", connection, transaction))
        {
            insert.Parameters.AddWithValue("f", fingerprint);
            insert.Parameters.AddWithValue("s", stack);
            await insert.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }
}
