namespace KojiProvisioner.Koji;

/// <summary>Where the koji client looks for its config: the user's home and the system folder.</summary>
public sealed record KojiConfigLocations(string Home, string Etc = "/etc")
{
    /// <summary>The process's own: <c>$HOME</c> (as Python's <c>os.path.expanduser</c> reads it) and <c>/etc</c>.</summary>
    public static KojiConfigLocations FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary><c>os.path.expanduser</c>: <c>~</c> and <c>~/x</c> are the home; <c>~user/x</c> that user's home
    /// (from /etc/passwd); anything else, or an unknown user, is left as it is.</summary>
    public string ExpandUser(string path)
    {
        if (!path.StartsWith('~')) return path;
        var slash = path.IndexOf('/');
        var user = slash < 0 ? path[1..] : path[1..slash];
        var rest = slash < 0 ? "" : path[slash..];
        string? home = user.Length == 0 ? Home : UserHome(user);
        if (home is null) return path;
        return home.TrimEnd('/') + rest is { Length: > 0 } expanded ? expanded : "/";
    }

    private string? UserHome(string user)
    {
        var passwd = Path.Combine(Etc, "passwd");
        if (!File.Exists(passwd)) return null;
        foreach (var line in File.ReadLines(passwd))
        {
            var fields = line.Split(':');
            if (fields.Length >= 6 && fields[0] == user) return fields[5];
        }
        return null;
    }
}

/// <summary>How a profile logs in, as <c>koji_cli.lib.activate_session</c> decides it.</summary>
public enum KojiAuth
{
    /// <summary><c>authtype = noauth</c>: never logs in.</summary>
    None,
    /// <summary><c>authtype = ssl</c>, or no authtype and the cert file exists.</summary>
    Ssl,
    /// <summary><c>authtype = password</c>.</summary>
    Password,
    /// <summary><c>authtype = kerberos</c> (GSSAPI), and the default when no authtype is set and no cert exists.</summary>
    Kerberos,
    /// <summary>Any other authtype: the koji CLI cannot log in with it either.</summary>
    Unknown,
}

/// <summary>
/// One koji client profile, read as the koji CLI reads it (<c>koji.read_config</c> of Koji 1.35):
/// the files, their order and precedence, <c>~</c> expansion of cert paths, and the defaults.
/// </summary>
public sealed record KojiProfile
{
    public required string Name { get; init; }
    /// <summary>The hub's XML-RPC URL (<c>server</c>; Koji's default is http://localhost/kojihub).</summary>
    public required string Server { get; init; }
    public string? WebUrl { get; init; }
    public string? TopUrl { get; init; }
    /// <summary>The <c>authtype</c> as written, or null.</summary>
    public string? AuthType { get; init; }
    /// <summary>The client certificate and key (one PEM file), expanded; empty when none.</summary>
    public string Cert { get; init; } = "";
    /// <summary>The CA that signed the hub's certificate, expanded; empty means the system's trust store.</summary>
    public string ServerCa { get; init; } = "";
    /// <summary>Where <c>cert</c>/<c>serverca</c> were set (file:line), for messages; null when defaulted.</summary>
    public string? CertSource { get; init; }
    public string? ServerCaSource { get; init; }
    /// <summary>Every file read, in order (later wins).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];
    /// <summary>Where the profile's section was last seen, for messages.</summary>
    public string Where => Files.Count == 0 ? "no file" : string.Join(", ", Files);

    /// <summary>The login method, by activate_session's rules: ssl when asked for or when the cert file exists.</summary>
    public KojiAuth Auth => AuthType?.Trim().ToLowerInvariant() switch
    {
        "noauth" => KojiAuth.None,
        "ssl" => KojiAuth.Ssl,
        "password" => KojiAuth.Password,
        "kerberos" or "gssapi" => KojiAuth.Kerberos,
        null or "" => Cert.Length > 0 && File.Exists(Cert) ? KojiAuth.Ssl : KojiAuth.Kerberos,
        _ => KojiAuth.Unknown,
    };
}

/// <summary>Reads profiles the way <c>koji.read_config(profile, user_config)</c> does.</summary>
public static class KojiProfileReader
{
    /// <summary>
    /// The config files in the order the koji CLI reads them (later overrides earlier):
    /// <c>/etc/koji.conf.d/*.conf</c>, <c>/etc/koji.conf</c>, then either the <c>-c/--config</c>
    /// file (which must exist; the user's own files are then not read) or
    /// <c>~/.koji/config.d/*.conf</c> and <c>~/.koji/config</c>.
    /// </summary>
    public static IReadOnlyList<string> ConfigFiles(KojiConfigLocations at, string? configFile = null)
    {
        var files = new List<string>();
        void Add(string path, bool strict)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.GetFiles(path).Where(f => f.EndsWith(".conf", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0 && strict)
                    throw new KojiConfigException($"{path}: no config files (*.conf) found in the directory given to --config");
                files.AddRange(found);
            }
            else if (File.Exists(path))
                files.Add(path);
            else if (strict)
                throw new KojiConfigException($"{path}: the config file given to --config does not exist");
        }
        Add(Path.Combine(at.Etc, "koji.conf.d"), false);
        Add(Path.Combine(at.Etc, "koji.conf"), false);
        if (configFile is not null)
            Add(at.ExpandUser(configFile), true);
        else
        {
            Add(at.ExpandUser("~/.koji/config.d"), false);
            Add(at.ExpandUser("~/.koji/config"), false);
        }
        return files;
    }

    public static KojiProfile Read(string name, KojiConfigLocations at, string? configFile = null)
    {
        var files = ConfigFiles(at, configFile);
        var config = new KojiConfigFile();
        foreach (var file in files)
        {
            try
            {
                config.Read(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // configparser.read() skips a file it cannot open
            }
        }
        if (!config.HasSection(name))
            throw new KojiConfigException(
                $"no koji profile [{name}] in {(files.Count == 0 ? "any config file" : string.Join(", ", files))} " +
                $"(the koji CLI reads /etc/koji.conf.d/*.conf, /etc/koji.conf, ~/.koji/config.d/*.conf and ~/.koji/config, or the file of --config)");
        var items = config.Items(name);
        string? Get(string key) => items.TryGetValue(key, out var e) ? e.Value : null;
        string? Where(string key) => items.TryGetValue(key, out var e) ? $"{e.File}:{e.Line}" : null;

        // cert and serverca: ~ expanded; when unset, ~/.koji/client.crt and ~/.koji/serverca.crt if they exist
        string PathOption(string key, string fallback)
        {
            if (Get(key) is { } value) return at.ExpandUser(value);
            var defaulted = at.ExpandUser(fallback);
            return File.Exists(defaulted) ? defaulted : "";
        }
        return new KojiProfile
        {
            Name = name,
            Server = Get("server") ?? "http://localhost/kojihub",
            WebUrl = Get("weburl") ?? "http://localhost/koji",
            TopUrl = Get("topurl"),
            AuthType = Get("authtype"),
            Cert = PathOption("cert", "~/.koji/client.crt"),
            ServerCa = PathOption("serverca", "~/.koji/serverca.crt"),
            CertSource = Where("cert"),
            ServerCaSource = Where("serverca"),
            Files = files,
        };
    }
}
