using System.Text.RegularExpressions;

namespace KojiProvisioner.Config;

/// <summary>Checks a bound stack, fills derived defaults and resolves its paths.</summary>
internal static partial class StackValidator
{
    public const string DefaultSourceBaseImage = "koji-farm/debian-base:bookworm";
    public const string DefaultPackagesBaseImage = "registry.fedoraproject.org/fedora:44";

    private const string BuildChannel = BuildersSpec.BuildChannel;
    private const string CreaterepoChannel = BuildersSpec.CreaterepoChannel;

    /// <summary>Arches Koji knows how to build for (koji.arch / rpm's canonical names).</summary>
    private static readonly HashSet<string> KnownArches = new(StringComparer.Ordinal)
    {
        "x86_64", "i686", "i386", "aarch64", "armv7hl", "ppc64le", "ppc64", "s390x", "riscv64", "noarch", "src",
    };

    // Anchored with \A and \z: `$` also matches before a trailing newline.
    [GeneratedRegex(@"\A(?:[a-z][a-z0-9-]{0,30}[a-z0-9]|[a-z])\z")]
    private static partial Regex StackName();

    /// <summary>Whether <paramref name="name"/> could be a stack's name (so a label filter built from it matches only that stack).</summary>
    public static bool IsStackName(string name) => StackName().IsMatch(name);

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex HostName();

    [GeneratedRegex(@"\A[a-z_][a-z0-9_.-]{0,31}\z")]
    private static partial Regex UnixUser();

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]{0,127}\z")]
    private static partial Regex VariableName();

    [GeneratedRegex(@"\A[a-z_][a-z0-9_]{0,62}\z")]
    private static partial Regex Identifier();

    /// <summary>
    /// The validated stack: <paramref name="bound"/> is left as it was bound; derived defaults
    /// (base images, channels, ...) are filled in a copy, which only the returned <see cref="Stack"/> holds.
    /// </summary>
    public static Stack Validate(
        StackSpec bound,
        string filePath,
        IReadOnlyDictionary<string, string> environment,
        StackLoader.SourceNames sources)
    {
        // Keys as the spec's walk writes them (builders.remote[0].port) name their layer by configuration path.
        InputException Error(string key, string what) =>
            new($"{sources.For(key.Replace('.', ':').Replace("[", ":").Replace("]", ""))}: {key}: {what}");

        // Every number within its bounds before anything else reads the spec (or copies it: NaN is no JSON).
        foreach (var (numberKey, number, bounds) in StackValues.Numbers(bound))
        {
            if (bounds is not null && StackValues.NumberProblem(number, bounds) is { } numberProblem)
                throw Error(numberKey, numberProblem);
        }
        var spec = Copy(bound);

        var stackDir = Path.GetDirectoryName(Path.GetFullPath(filePath))!;

        // Every text value first: nothing with a newline, NUL or the like goes further.
        foreach (var (valueKey, value) in StackValues.Strings(spec))
        {
            if (StackValues.TextProblem(value) is { } problem)
                throw Error(valueKey, problem);
        }

        if (string.IsNullOrWhiteSpace(spec.Name))
            throw Error("name", "required: the stack's name, e.g. 'acme' (lower case letters, digits and '-')");
        if (!StackName().IsMatch(spec.Name))
            throw Error("name", $"'{spec.Name}' is not a valid stack name: use 1-32 lower case letters, digits and '-', starting with a letter");
        if (string.IsNullOrWhiteSpace(spec.Organization))
            throw Error("organization", "must not be empty");
        if (spec.Organization.Length > 64)
            throw Error("organization", $"is {spec.Organization.Length} characters long; a certificate's O= takes at most 64");
        if (spec.Koji.BaseImage is { } image && StackValues.ImageProblem(image) is { } imageProblem)
            throw Error("koji.baseImage", imageProblem);

        // Koji source
        string? kojiSource = null;
        switch (spec.Koji.From)
        {
            case "source":
                var given = spec.Koji.Path;
                var key = "koji.path";
                var baseDir = stackDir;
                spec.Koji.BaseImage ??= DefaultSourceBaseImage;
                if (string.IsNullOrWhiteSpace(given))
                {
                    // Not set: the farm's recorded Koji (Farm/FarmInputs), or an error where an image must be built.
                    if (!environment.TryGetValue("KOJI_SOURCE", out var env) || string.IsNullOrWhiteSpace(env))
                        break;
                    given = env;
                    baseDir = Directory.GetCurrentDirectory();
                    key = "KOJI_SOURCE";
                }
                kojiSource = Path.GetFullPath(given, baseDir);
                if (!File.Exists(kojiSource) && !Directory.Exists(kojiSource))
                    throw key == "KOJI_SOURCE"
                        ? new InputException($"environment KOJI_SOURCE: {kojiSource} does not exist")
                        : Error(key, $"{kojiSource} does not exist");
                if (Directory.Exists(kojiSource) && !File.Exists(Path.Combine(kojiSource, "kojihub", "kojixmlrpc.py")))
                    throw Error(key, $"{kojiSource} is not a Koji source tree (no kojihub/kojixmlrpc.py)");
                break;
            case "packages":
                spec.Koji.BaseImage ??= DefaultPackagesBaseImage;
                break;
            default:
                throw Error("koji.from", $"'{spec.Koji.From}' is not one of: source, packages");
        }

        // Hub, web, database
        // Ports are within their bounds (StackSpec); hub and web port 0: a free host port, chosen by
        // the first `up` and recorded in the state folder (HostPorts).
        if (spec.Web.Enabled && spec.Web.Port != 0 && spec.Web.Port == spec.Hub.Port && spec.Web.BindAddress == spec.Hub.BindAddress)
            throw Error("web.port", $"{spec.Web.Port} is already hub.port: give the web its own port");
        if (spec.Database.Port != 0 && (spec.Database.Port == spec.Hub.Port || (spec.Web.Enabled && spec.Database.Port == spec.Web.Port)))
            throw Error("database.port", $"{spec.Database.Port} is already used by the hub or the web");
        if (StackValues.HostProblem(spec.Hub.PublicHost) is { } hostProblem)
            throw Error("hub.publicHost", hostProblem);
        foreach (var (bindKey, address) in new[] { ("hub.bindAddress", spec.Hub.BindAddress), ("web.bindAddress", spec.Web.BindAddress), ("database.bindAddress", spec.Database.BindAddress) })
        {
            if (StackValues.BindAddressProblem(address) is { } bindProblem)
                throw Error(bindKey, bindProblem);
        }
        foreach (var setting in spec.Hub.Settings.Keys)
        {
            if (!HubConfigKeys.Known.Contains(setting))
                throw Error($"hub.settings.{setting}", "the hub does not read this hub.conf key (it would be silently ignored); see kojihub/kojixmlrpc.py for the keys it knows");
            if (HubConfigKeys.Managed.Contains(setting))
                throw Error($"hub.settings.{setting}", "koji-farm sets this key itself; use the stack's own setting for it");
        }
        foreach (var (policy, rules) in spec.Hub.Policy)
        {
            if (!HubPolicy.Known.Contains(policy))
                throw Error($"hub.policy.{policy}", $"Koji has no policy of this name (it would never be consulted); known: {string.Join(", ", HubPolicy.Known.Order(StringComparer.Ordinal))}");
            if (HubPolicy.Problem(rules) is { } bad)
                throw Error($"hub.policy.{policy}[{bad.Line}]", bad.Problem);
        }
        if (!IdentifierLike(spec.Database.Name))
            throw Error("database.name", $"'{spec.Database.Name}' is not a valid database name");
        if (!IdentifierLike(spec.Database.User))
            throw Error("database.user", $"'{spec.Database.User}' is not a valid database user name");
        ValidateExternalDatabase(spec.Database, stackDir, Error);
        if (!string.IsNullOrWhiteSpace(spec.Storage.HostPath))
        {
            spec.Storage.HostPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(spec.Storage.HostPath, stackDir));
            if (!Directory.Exists(spec.Storage.HostPath))
                throw Error("storage.hostPath", $"{spec.Storage.HostPath} is not a folder (mount the company's storage there first)");
            if (spec.Storage.HostPath == "/" || spec.Storage.HostPath.Contains(':') || spec.Storage.HostPath.Contains(','))
                throw Error("storage.hostPath", $"'{spec.Storage.HostPath}' cannot be a bind mount's source (not the root folder, no ':' or ',')");
        }
        else
            spec.Storage.HostPath = null;
        if (spec.Storage.VolumeOptions.Count > 0)
        {
            if (spec.Storage.HostPath is not null)
                throw Error("storage.volumeOptions", "give storage.hostPath or storage.volumeOptions, not both");
            foreach (var key in spec.Storage.VolumeOptions.Keys.Where(k => k is not ("type" or "o" or "device")))
                throw Error($"storage.volumeOptions.{key}", "the local volume driver takes type, o and device");
            if (!spec.Storage.VolumeOptions.ContainsKey("type") || !spec.Storage.VolumeOptions.ContainsKey("device"))
                throw Error("storage.volumeOptions", "needs type and device (e.g. type: nfs, o: addr=nfs.example.com,rw, device: :/export/koji)");
        }
        spec.Pki.KeyAlgorithm = (spec.Pki.KeyAlgorithm ?? "").Trim().ToLowerInvariant();
        if (Pki.Keys.Parse(spec.Pki.KeyAlgorithm) is null)
            throw Error("pki.keyAlgorithm", $"must be rsa or ecdsa, got '{spec.Pki.KeyAlgorithm}'");
        if (!HostName().IsMatch(spec.Admin.Name))
            throw Error("admin.name", $"'{spec.Admin.Name}' is not a valid user name");

        // Builders
        var b = spec.Builders;
        if (b.Arches.Count == 0) b.Arches.Add("x86_64");
        // The channel `default` hands out build tasks, which only builders with mock can run: local
        // builders without it take createrepo tasks only. With no local builders, builders.channels
        // is only the remote builders' default.
        var channelsGiven = b.Channels.Count > 0;
        if (b.Count > 0 && !b.Mock && b.Channels.Contains(BuildChannel))
            throw Error("builders.channels", $"'{BuildChannel}' hands out build tasks, which a builder without mock cannot run: set builders.mock: true (see stacks/build-offline.yaml), or leave '{BuildChannel}' out");
        if (!channelsGiven) b.Channels.AddRange(b.Mock ? [BuildChannel, CreaterepoChannel] : [CreaterepoChannel]);
        if (b.Mock && spec.Koji.From == "source")
            b.MockSource = MockSource(b.MockSource, stackDir, environment, Error);
        CheckArches(b.Arches, "builders.arches");
        CheckUnique(b.Channels, "builders.channels");
        for (var i = 0; i < b.AllowedScms.Count; i++)
        {
            if (StackValues.AllowedScmProblem(b.AllowedScms[i]) is { } scmProblem)
                throw Error($"builders.allowedScms[{i}]", scmProblem);
        }

        var hostNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i <= b.Count; i++)
            hostNames.Add(LocalBuilderName(spec.Name, i));
        for (var i = 0; i < b.Remote.Count; i++)
        {
            var r = b.Remote[i];
            var at = $"builders.remote[{i}]";
            if (string.IsNullOrWhiteSpace(r.Name) || !HostName().IsMatch(r.Name))
                throw Error($"{at}.name", $"'{r.Name}' is not a valid host name");
            if (!hostNames.Add(r.Name))
                throw Error($"{at}.name", $"duplicate builder name '{r.Name}'");
            if (string.IsNullOrWhiteSpace(r.Address))
                throw Error($"{at}.address", "required: the host's address");
            if (StackValues.HostProblem(r.Address) is { } addressProblem)
                throw Error($"{at}.address", addressProblem);
            if (!UnixUser().IsMatch(r.User))
                throw Error($"{at}.user", $"'{r.User}' is not a user name");
            if (!string.IsNullOrWhiteSpace(r.PrivateKeyEnv) && !VariableName().IsMatch(r.PrivateKeyEnv))
                throw Error($"{at}.privateKeyEnv", $"'{r.PrivateKeyEnv}' is not an environment variable name");
            if (!string.IsNullOrWhiteSpace(r.HubUrl) && StackValues.HubUrlProblem(r.HubUrl) is { } urlProblem)
                throw Error($"{at}.hubUrl", urlProblem);
            if (string.IsNullOrWhiteSpace(r.PrivateKey) == string.IsNullOrWhiteSpace(r.PrivateKeyEnv))
                throw Error($"{at}.privateKey", "give exactly one of privateKey (a file) or privateKeyEnv (a variable naming the file)");
            if (!string.IsNullOrWhiteSpace(r.PrivateKey))
                r.PrivateKey = Path.GetFullPath(r.PrivateKey, stackDir);
            if (!string.IsNullOrWhiteSpace(r.HostKey) && (!r.HostKey.StartsWith("SHA256:", StringComparison.Ordinal) || r.HostKey.Any(char.IsWhiteSpace)))
                throw Error($"{at}.hostKey", $"expected a fingerprint like SHA256:..., got '{r.HostKey}'");
            if (r.Arches.Count == 0) r.Arches.AddRange(b.Arches);
            // Remote hosts run kojid from their own packages (mock with it): builders.mock is about the local containers.
            if (r.Channels.Count == 0) r.Channels.AddRange(channelsGiven ? b.Channels : [BuildChannel, CreaterepoChannel]);
            CheckArches(r.Arches, $"{at}.arches");
            CheckUnique(r.Channels, $"{at}.channels");
        }

        // Buildroot
        switch (spec.Buildroot.Bootstrap)
        {
            case "":
                if (spec.Buildroot.Tags.Count > 0)
                    throw Error("buildroot.tags", "set buildroot.bootstrap too (debian-12), or leave the tags out");
                break;
            case "debian-12":
                if (spec.Buildroot.Tags.Count == 0)
                    throw Error("buildroot.tags", "name the base tag(s) the bootstrapped buildroot is tagged into");
                CheckUnique(spec.Buildroot.Tags, "buildroot.tags");
                if (spec.Koji.From != "source")
                    throw Error("buildroot.bootstrap", "the bootstrapped buildroot is made on the Debian base: it needs koji.from: source");
                break;
            default:
                throw Error("buildroot.bootstrap", $"'{spec.Buildroot.Bootstrap}' is not one of: debian-12 (or empty for none)");
        }

        // Files
        string? content = null;
        if (!string.IsNullOrWhiteSpace(spec.Content))
        {
            content = Path.GetFullPath(spec.Content, stackDir);
            if (!File.Exists(content))
                throw Error("content", $"{content} does not exist");
        }
        var stateDir = Path.GetFullPath(
            string.IsNullOrWhiteSpace(spec.StateDir) ? Path.Combine(".state", spec.Name) : spec.StateDir, stackDir);
        // The state folder, or the nearest folder above it that exists, must be a folder.
        for (var at = stateDir; at is not null; at = Path.GetDirectoryName(at))
        {
            if (File.Exists(at))
                throw Error(string.IsNullOrWhiteSpace(spec.StateDir) ? "name" : "stateDir", $"{at} is a file, so the state folder {stateDir} cannot be made");
            if (Directory.Exists(at))
                break;
        }

        return new Stack(spec, filePath, stateDir, kojiSource, content);

        void CheckArches(List<string> arches, string key)
        {
            CheckUnique(arches, key);
            foreach (var arch in arches)
            {
                if (!KnownArches.Contains(arch))
                    throw Error(key, $"unknown arch '{arch}' (known: {string.Join(", ", KnownArches.Order(StringComparer.Ordinal))})");
            }
        }

        void CheckUnique(List<string> values, string key)
        {
            var dup = values.GroupBy(v => v, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null)
                throw Error(key, $"duplicate '{dup.Key}'");
        }
    }

    /// <summary>
    /// builders.mockSource, else $MOCK_SOURCE, checked and made absolute; null when neither is set (the
    /// farm's recorded mock then, or an error where the builder image must be built: Farm/FarmInputs).
    /// </summary>
    private static string? MockSource(string? given, string stackDir, IReadOnlyDictionary<string, string> environment,
        Func<string, string, InputException> error)
    {
        var key = "builders.mockSource";
        var baseDir = stackDir;
        if (string.IsNullOrWhiteSpace(given))
        {
            if (!environment.TryGetValue("MOCK_SOURCE", out var env) || string.IsNullOrWhiteSpace(env))
                return null;
            given = env;
            baseDir = Directory.GetCurrentDirectory();
            key = "MOCK_SOURCE";
        }
        var dir = Path.GetFullPath(given, baseDir);
        if (!Directory.Exists(dir))
            throw error(key, $"{dir} is not a folder");
        foreach (var pattern in new[] { "mock-*.tar.gz", "templated-dictionary-*.tar.gz" })
            if (Directory.GetFiles(dir, pattern).Length != 1)
                throw error(key, $"{dir} must hold exactly one {pattern}");
        return dir;
    }

    /// <summary>
    /// database.host and what goes with it: the password from a file (read now, so a missing or
    /// empty one stops every verb), libpq's sslmode, and the CA that verifies the server. The
    /// file paths are made absolute in the validated copy.
    /// </summary>
    private static void ValidateExternalDatabase(DatabaseSpec db, string stackDir, Func<string, string, InputException> error)
    {
        if (!db.External)
        {
            foreach (var (key, value) in new[] { ("database.passwordFile", db.PasswordFile), ("database.sslMode", db.SslMode), ("database.caFile", db.CaFile) })
                if (!string.IsNullOrWhiteSpace(value))
                    throw error(key, "only with database.host (the farm's own database container makes its password itself and needs no TLS)");
            return;
        }
        if (StackValues.HostProblem(db.Host!) is { } hostProblem)
            throw error("database.host", hostProblem);
        if (string.IsNullOrWhiteSpace(db.PasswordFile))
            throw error("database.passwordFile", $"required with database.host: a file holding the password of database user '{db.User}'");
        db.PasswordFile = Path.GetFullPath(db.PasswordFile, stackDir);
        if (!File.Exists(db.PasswordFile))
            throw error("database.passwordFile", $"{db.PasswordFile} does not exist");
        if (ExternalPassword(db.PasswordFile).Length == 0)
            throw error("database.passwordFile", $"{db.PasswordFile} is empty");
        db.SslMode = string.IsNullOrWhiteSpace(db.SslMode) ? "verify-full" : db.SslMode.Trim();
        if (!DatabaseSpec.SslModes.Contains(db.SslMode))
            throw error("database.sslMode", $"'{db.SslMode}' is not one of: {string.Join(", ", DatabaseSpec.SslModes)}");
        if (!string.IsNullOrWhiteSpace(db.CaFile))
        {
            db.CaFile = Path.GetFullPath(db.CaFile, stackDir);
            if (!File.Exists(db.CaFile))
                throw error("database.caFile", $"{db.CaFile} does not exist");
            if (!File.ReadAllText(db.CaFile).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                throw error("database.caFile", $"{db.CaFile} holds no PEM certificate");
        }
        else if (db.SslMode is "verify-ca" or "verify-full")
            throw error("database.caFile", $"required with sslMode {db.SslMode}: the CA certificate (PEM) that signed the database server's certificate " +
                "(or set database.sslMode to require, which encrypts without checking the server)");
    }

    /// <summary>The external database's password: the file's first line.</summary>
    public static string ExternalPassword(string passwordFile)
    {
        using var reader = new StreamReader(passwordFile);
        return (reader.ReadLine() ?? "").Trim();
    }

    /// <summary>The Koji host name of local builder N: also its container's name.</summary>
    public static string LocalBuilderName(string stack, int index) => $"{stack}-builder-{index}";

    /// <summary>Whether <paramref name="host"/> is named as a local builder of <paramref name="stack"/> (of any number).</summary>
    public static bool IsLocalBuilderName(string stack, string host) =>
        host.StartsWith(stack + "-builder-", StringComparison.Ordinal)
        && host.Length > stack.Length + "-builder-".Length
        && host[(stack.Length + "-builder-".Length)..].All(char.IsAsciiDigit);

    private static StackSpec Copy(StackSpec spec) =>
        System.Text.Json.JsonSerializer.Deserialize(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(spec, StackSpecJson.Default.StackSpec),
            StackSpecJson.Default.StackSpec)!;

    private static bool IdentifierLike(string s) => Identifier().IsMatch(s);
}
