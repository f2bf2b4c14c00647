using System.Text.RegularExpressions;

namespace KojiProvisioner.Config;

/// <summary>Checks a bound stack, fills derived defaults and resolves its paths.</summary>
internal static partial class StackValidator
{
    public const string DefaultSourceBaseImage = "koji-farm/debian-base:bookworm";
    public const string DefaultPackagesBaseImage = "registry.fedoraproject.org/fedora:44";

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
        StackLoader.SourceNames sources,
        bool requireKojiSource = true)
    {
        var spec = Copy(bound);
        InputException Error(string key, string what) =>
            new($"{sources.For(key.Replace('.', ':'))}: {key}: {what}");

        var stackDir = Path.GetDirectoryName(Path.GetFullPath(filePath))!;

        // Every text value first: nothing with a newline, NUL or the like goes further.
        foreach (var (valueKey, value) in StackValues.Strings(spec))
        {
            if (StackValues.TextProblem(value) is { } problem)
                throw new InputException($"{sources.For(valueKey.Replace('.', ':').Replace("[", ":").Replace("]", ""))}: {valueKey}: {problem}");
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
                    if ((!environment.TryGetValue("KOJI_SOURCE", out var env) || string.IsNullOrWhiteSpace(env)) && !requireKojiSource)
                        break;
                    if (string.IsNullOrWhiteSpace(env))
                        throw Error(key, "required when koji.from is 'source': set it to a Koji source tree or release tarball, or set KOJI_SOURCE");
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
        // 0: a free host port, chosen by the first `up` and recorded in the state folder (HostPorts).
        CheckPort(spec.Hub.Port, "hub.port", allowZero: false, freePort: true);
        CheckPort(spec.Web.Port, "web.port", allowZero: false, freePort: true);
        CheckPort(spec.Database.Port, "database.port", allowZero: true);
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
        if (spec.Hub.RunInterval < 1)
            throw Error("hub.runInterval", $"must be 1 or more seconds, got {spec.Hub.RunInterval}");
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
        if (spec.Builders.SleepTime < 1)
            throw Error("builders.sleepTime", $"must be 1 or more seconds, got {spec.Builders.SleepTime}");
        if (spec.Health.Interval < 0)
            throw Error("health.interval", $"must be 0 (koji-farm's defaults) or more seconds, got {spec.Health.Interval}");
        spec.Pki.KeyAlgorithm = (spec.Pki.KeyAlgorithm ?? "").Trim().ToLowerInvariant();
        if (Pki.Keys.Parse(spec.Pki.KeyAlgorithm) is null)
            throw Error("pki.keyAlgorithm", $"must be rsa or ecdsa, got '{spec.Pki.KeyAlgorithm}'");
        if (spec.Kojira.SleepTime < 1)
            throw Error("kojira.sleepTime", $"must be 1 or more seconds, got {spec.Kojira.SleepTime}");
        if (!HostName().IsMatch(spec.Admin.Name))
            throw Error("admin.name", $"'{spec.Admin.Name}' is not a valid user name");

        // Builders
        var b = spec.Builders;
        if (b.Count < 0)
            throw Error("builders.count", $"must be 0 or more, got {b.Count}");
        if (b.Count > 64)
            throw Error("builders.count", $"{b.Count} local builders on one engine is more than this tool supports (64); put more on remote hosts");
        if (b.Arches.Count == 0) b.Arches.Add("x86_64");
        // The channel `default` hands out build tasks, which only builders with mock can run; a
        // farm of createrepo-only builders says `channels: [createrepo]`.
        if (b.Channels.Count == 0) b.Channels.AddRange(["default", "createrepo"]);
        if (b.Mock && spec.Koji.From == "source")
        {
            var mockKey = "builders.mockSource";
            var mockGiven = b.MockSource;
            var mockBase = stackDir;
            if (string.IsNullOrWhiteSpace(mockGiven))
            {
                if (!environment.TryGetValue("MOCK_SOURCE", out var mockEnv) || string.IsNullOrWhiteSpace(mockEnv))
                    throw Error(mockKey, "required when builders.mock is true: a folder holding mock-*.tar.gz and templated-dictionary-*.tar.gz (e.g. ../shared/mock), or set MOCK_SOURCE");
                mockGiven = mockEnv;
                mockBase = Directory.GetCurrentDirectory();
                mockKey = "MOCK_SOURCE";
            }
            var mockDir = Path.GetFullPath(mockGiven, mockBase);
            if (!Directory.Exists(mockDir))
                throw Error(mockKey, $"{mockDir} is not a folder");
            foreach (var pattern in new[] { "mock-*.tar.gz", "templated-dictionary-*.tar.gz" })
                if (Directory.GetFiles(mockDir, pattern).Length != 1)
                    throw Error(mockKey, $"{mockDir} must hold exactly one {pattern}");
            b.MockSource = mockDir;
        }
        CheckArches(b.Arches, "builders.arches");
        CheckUnique(b.Channels, "builders.channels");
        for (var i = 0; i < b.AllowedScms.Count; i++)
        {
            if (StackValues.AllowedScmProblem(b.AllowedScms[i]) is { } scmProblem)
                throw Error($"builders.allowedScms[{i}]", scmProblem);
        }
        if (b.Capacity <= 0)
            throw Error("builders.capacity", $"must be more than 0, got {b.Capacity}");
        if (b.MaxJobs < 1)
            throw Error("builders.maxJobs", $"must be 1 or more, got {b.MaxJobs}");

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
            CheckPort(r.Port, $"{at}.port", allowZero: false);
            if (string.IsNullOrWhiteSpace(r.PrivateKey) == string.IsNullOrWhiteSpace(r.PrivateKeyEnv))
                throw Error($"{at}.privateKey", "give exactly one of privateKey (a file) or privateKeyEnv (a variable naming the file)");
            if (!string.IsNullOrWhiteSpace(r.PrivateKey))
                r.PrivateKey = Path.GetFullPath(r.PrivateKey, stackDir);
            if (!string.IsNullOrWhiteSpace(r.HostKey) && (!r.HostKey.StartsWith("SHA256:", StringComparison.Ordinal) || r.HostKey.Any(char.IsWhiteSpace)))
                throw Error($"{at}.hostKey", $"expected a fingerprint like SHA256:..., got '{r.HostKey}'");
            if (r.Arches.Count == 0) r.Arches.AddRange(b.Arches);
            if (r.Channels.Count == 0) r.Channels.AddRange(b.Channels);
            CheckArches(r.Arches, $"{at}.arches");
            CheckUnique(r.Channels, $"{at}.channels");
            if (r.Capacity <= 0)
                throw Error($"{at}.capacity", $"must be more than 0, got {r.Capacity}");
            if (r.MaxJobs < 1)
                throw Error($"{at}.maxJobs", $"must be 1 or more, got {r.MaxJobs}");
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

        void CheckPort(int port, string key, bool allowZero, bool freePort = false)
        {
            if ((port == 0 && !allowZero && !freePort) || port < 0 || port > 65535)
                throw Error(key, $"{port} is out of range ({(allowZero ? "0 to keep it unpublished, or " : "")}1-65535)");
        }

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
