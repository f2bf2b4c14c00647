using System.Text.Json;
using KojiProvisioner.Cli;
using KojiProvisioner.Content;
using KojiProvisioner.Tests.Support;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace KojiProvisioner.Tests.Content;

/// <summary>
/// `koji-farm content ...` run in-process against the in-memory hub served over HTTP and named
/// by --hub/--cert, as an admin names a hub koji-farm did not make: how the hub is chosen, and
/// what keeps --prune from doing harm.
/// </summary>
public sealed class ContentCommandTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private FakeHubHttpServer _server = null!;
    private string _cert = "";
    private string _content = "";

    public async Task InitializeAsync()
    {
        var hub = new FakeKojiHub();
        await ContentApplier.ApplyAsync(hub, await ContentPlanner.PlanAsync(hub, TestContent.Load(), prune: false));
        _server = new FakeHubHttpServer(hub);
        _cert = _dir.File("admin.pem", FakeHubHttpServer.ClientPem("kojiadmin"));
        _content = _dir.File("content.yaml", TestContent.Yaml);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private sealed record Run(int ExitCode, string Out, string Error, string Console);

    private static async Task<Run> Koji(IEnumerable<string> args, string? answer = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var screen = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = answer is null ? InteractionSupport.No : InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });
        console.Profile.Width = 200;
        if (answer is not null) console = new AnsweringConsole(console, answer);
        var code = await KojiFarmApp.RunAsync(args.ToArray(), console, stdout, stderr);
        return new Run(code, stdout.ToString(), stderr.ToString(), screen.ToString());
    }

    private string[] Hub => ["--hub", _server.Url, "--cert", _cert];

    private async Task<int> PermissionsOf(string user) =>
        ((IReadOnlyList<object?>)(await _server.Hub.CallAsync(new KojiProvisioner.Koji.KojiCall("getUserPerms", user)))!).Count;

    private async Task AddStrays()
    {
        await _server.Hub.EnsureLoggedInAsync();
        await _server.Hub.CallAsync(new KojiProvisioner.Koji.KojiCall("createTag", "stray-tag"));
        await _server.Hub.CallAsync(new KojiProvisioner.Koji.KojiCall("createBuildTarget", "stray-target", "stx-centos7-build", "stx-centos7-candidate"));
        await _server.Hub.CallAsync(new KojiProvisioner.Koji.KojiCall("packageListAdd", "stx-centos7-base", "stray-pkg", "kojiadmin"));
    }

    private async Task<bool> Exists(string method, string name) => method == "getBuildTarget"
        ? ((IReadOnlyList<object?>)(await _server.Hub.CallAsync(new KojiProvisioner.Koji.KojiCall("getBuildTargets")))!)
            .Cast<IReadOnlyDictionary<string, object?>>().Any(t => (string?)t["name"] == name)
        : await _server.Hub.CallAsync(new KojiProvisioner.Koji.KojiCall(method, name)) is not null;

    [Fact]
    public async Task Diff_by_url_reads_without_logging_in_and_prints_changes_grouped_by_kind_with_counts()
    {
        await AddStrays();
        var edited = _dir.File("edited.yaml", TestContent.Yaml.Replace("packages: [bash, coreutils]", "packages: [bash, coreutils, zsh]", StringComparison.Ordinal));
        var logins = _server.Hub.Logins;
        var run = await Koji(["content", "diff", "--file", edited, "--prune", "targets,packages", "--hub", _server.Url]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(logins, _server.Hub.Logins);
        Assert.Contains($"hub {_server.Url}", run.Console);
        Assert.Contains("prune: targets, packages", run.Console);
        Assert.Contains("targets (1 to remove)\n  - delete target stray-target (not in the content)", run.Console);
        Assert.Contains("packages (1 to create, 1 to block)", run.Console);
        Assert.Contains("prune removes: 1 target, 1 package (blocked)", run.Console);
        Assert.Contains("plan: 1 to create, 1 to block, 1 to remove (3 writes)", run.Console);
        Assert.DoesNotContain("stray-tag", run.Console); // tags are not pruned here
    }

    [Fact]
    public async Task Apply_prune_off_a_terminal_without_yes_removes_nothing_and_says_how_much_it_would()
    {
        await AddStrays();
        var run = await Koji(["content", "apply", "--file", _content, "--prune", .. Hub]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("removes 1 tag, 1 target, 1 package (blocked)", run.Error);
        Assert.Contains("--yes", run.Error);
        Assert.True(await Exists("getBuildTarget", "stray-target"));
        Assert.True(await Exists("getTag", "stray-tag"));

        var yes = await Koji(["content", "apply", "--file", _content, "--prune", "--yes", .. Hub]);
        Assert.True(yes.ExitCode == 0, yes.Error);
        Assert.False(await Exists("getBuildTarget", "stray-target"));
        Assert.False(await Exists("getTag", "stray-tag"));
    }

    [Fact]
    public async Task Apply_prune_at_a_terminal_asks_with_the_counts_by_kind_and_no_keeps_the_hub()
    {
        await AddStrays();
        var no = await Koji(["content", "apply", "--file", _content, "--prune", "tags,targets", .. Hub], answer: "n");
        Assert.Equal(1, no.ExitCode);
        Assert.Contains("removes 1 tag, 1 target from hub", no.Console);
        Assert.Contains("Go on?", no.Console);
        Assert.True(await Exists("getTag", "stray-tag"));
        Assert.True(await Exists("getBuildTarget", "stray-target"));

        var yes = await Koji(["content", "apply", "--file", _content, "--prune", "tags,targets", .. Hub], answer: "y");
        Assert.True(yes.ExitCode == 0, yes.Error);
        Assert.False(await Exists("getTag", "stray-tag"));
        Assert.False(await Exists("getBuildTarget", "stray-target"));
    }

    [Fact]
    public async Task Prune_by_kind_removes_only_that_kind()
    {
        await AddStrays();
        var run = await Koji(["content", "apply", "--file", _content, "--prune", "packages", "--yes", "--output", "json", .. Hub]);
        Assert.True(run.ExitCode == 0, run.Error);
        var doc = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(["packages"], doc.GetProperty("prune").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, doc.GetProperty("writes").GetInt32());
        Assert.True(await Exists("getTag", "stray-tag"));
        Assert.True(await Exists("getBuildTarget", "stray-target"));
    }

    [Fact]
    public async Task Prune_never_revokes_admin_from_the_user_apply_logs_in_as()
    {
        var yaml = TestContent.Yaml
            .Replace("permissions: [admin]", "permissions: []", StringComparison.Ordinal)
            .Replace("permissions: [tag, target, stx-release]", "permissions: [tag]", StringComparison.Ordinal);
        var file = _dir.File("no-admin.yaml", yaml);
        var run = await Koji(["content", "apply", "--file", file, "--prune", "permissions", "--yes", .. Hub]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("kept admin of kojiadmin", run.Console);
        Assert.Equal(1, await PermissionsOf("kojiadmin"));  // admin kept
        Assert.Equal(1, await PermissionsOf("releng"));     // target and stx-release revoked
    }

    [Fact]
    public async Task Prune_refuses_a_content_file_that_lists_no_tags()
    {
        var empty = _dir.File("empty.yaml", "users:\n  - name: kojiadmin\n    permissions: [admin]\n");
        var run = await Koji(["content", "apply", "--file", empty, "--prune", "--yes", .. Hub]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{empty}: lists no tags", run.Error);
        Assert.Empty(_server.Methods);
    }

    [Fact]
    public async Task An_unknown_prune_kind_names_the_known_ones()
    {
        var run = await Koji(["content", "diff", "--file", _content, "--prune", "tags,builds", "--hub", _server.Url]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--prune builds", run.Error);
        Assert.Contains("tags, targets, external-repos, groups, packages, permissions", run.Error);
    }

    [Theory]
    [InlineData("--stack", "s.yaml", "--hub", "https://h/kojihub")]
    [InlineData("--profile", "p", "--hub", "https://h/kojihub")]
    [InlineData("--stack", "s.yaml", "--profile", "p")]
    public async Task Two_ways_of_naming_the_hub_are_refused_naming_the_choices(string a, string av, string b, string bv)
    {
        var run = await Koji(["content", "diff", "--file", _content, a, av, b, bv]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("exactly one of --stack FILE, --profile NAME or --hub URL", run.Error);
    }

    [SkippableFact]
    public async Task Without_any_hub_or_stack_file_every_command_names_the_ways_to_give_one()
    {
        Skip.If(Environment.GetEnvironmentVariable("KOJIFARM_STACK") is not null || File.Exists("koji-farm.yaml"), "a stack file is named here");
        var content = await Koji(["content", "diff", "--file", _content]);
        Assert.Equal(2, content.ExitCode);
        Assert.Contains("--stack FILE, --profile NAME or --hub URL", content.Error);
        Assert.Contains("$KOJIFARM_STACK", content.Error);
        Assert.Contains("./koji-farm.yaml", content.Error);
        var status = await Koji(["status"]);
        Assert.Equal(2, status.ExitCode);
        Assert.Contains("KOJIFARM_STACK", status.Error);
        Assert.Contains("koji-farm.yaml", status.Error);
    }

    [Fact]
    public async Task Apply_by_url_without_a_certificate_says_it_must_log_in()
    {
        var run = await Koji(["content", "apply", "--file", _content, "--hub", _server.Url]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--cert", run.Error);
    }

    [Fact]
    public async Task A_profile_from_a_config_file_reaches_the_hub_and_a_missing_cert_exits_2_naming_it()
    {
        var config = _dir.File("koji.conf", $"[fake]\nserver = {_server.Url}\nauthtype = ssl\ncert = {_cert}\n[broken]\nserver = {_server.Url}\ncert = {_dir.Path}/missing.pem\n" +
            $"[kerb]\nserver = {_server.Url}\nauthtype = kerberos\n");
        var diff = await Koji(["content", "diff", "--file", _content, "--profile", "fake", "-c", config, "--exit-code"]);
        Assert.True(diff.ExitCode == 0, diff.Error + diff.Console);

        var broken = await Koji(["content", "diff", "--file", _content, "--profile", "broken", "--config", config]);
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains($"{_dir.Path}/missing.pem", broken.Error);

        var kerberos = await Koji(["content", "apply", "--file", _content, "--profile", "kerb", "--config", config]);
        Assert.Equal(2, kerberos.ExitCode);
        Assert.Contains("profile 'kerb'", kerberos.Error);
        Assert.Contains("authtype kerberos", kerberos.Error);
        var anonymous = await Koji(["content", "diff", "--file", _content, "--profile", "kerb", "--config", config]);
        Assert.True(anonymous.ExitCode == 0, anonymous.Error);
    }

    [Fact]
    public async Task Export_by_url_streams_a_file_that_diffs_clean_against_the_same_hub()
    {
        var exported = Path.Combine(_dir.Path, "exported.yaml");
        var run = await Koji(["content", "export", "--hub", _server.Url, "--out", exported]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.StartsWith($"# Koji content exported from {_server.Url}", File.ReadAllText(exported));
        var diff = await Koji(["content", "diff", "--file", exported, "--prune", "--exit-code", "--hub", _server.Url]);
        Assert.True(diff.ExitCode == 0, diff.Console + diff.Error);
    }

    /// <summary>A console at a terminal whose user types <paramref name="answer"/> and Enter.</summary>
    private sealed class AnsweringConsole(IAnsiConsole inner, string answer) : IAnsiConsole
    {
        public Profile Profile => inner.Profile;
        public IAnsiConsoleCursor Cursor => inner.Cursor;
        public IAnsiConsoleInput Input { get; } = new Keys(answer + "\r");
        public IExclusivityMode ExclusivityMode => inner.ExclusivityMode;
        public RenderPipeline Pipeline => inner.Pipeline;
        public void Clear(bool home) => inner.Clear(home);
        public void Write(IRenderable renderable) => inner.Write(renderable);
        public void WriteAnsi(Action<AnsiWriter> action) => inner.WriteAnsi(action);

        private sealed class Keys(string keys) : IAnsiConsoleInput
        {
            private readonly Queue<char> _keys = new(keys);
            public bool IsKeyAvailable() => _keys.Count > 0;

            public ConsoleKeyInfo? ReadKey(bool intercept)
            {
                if (!_keys.TryDequeue(out var c)) return null;
                return c == '\r'
                    ? new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false)
                    : new ConsoleKeyInfo(c, ConsoleKey.A + (char.ToLowerInvariant(c) - 'a'), false, false, false);
            }

            public Task<ConsoleKeyInfo?> ReadKeyAsync(bool intercept, CancellationToken cancellationToken) => Task.FromResult(ReadKey(intercept));
        }
    }
}
