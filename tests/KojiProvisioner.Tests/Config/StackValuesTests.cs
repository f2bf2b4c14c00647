using KojiProvisioner.Config;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Config;

/// <summary>
/// A value that reaches a rendered file or a certificate is checked when the stack is loaded: a
/// newline cannot add a section to hub.conf, and nothing reaches the PKI code that it would throw on.
/// </summary>
public sealed class StackValuesTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _koji;

    public StackValuesTests() => _koji = _dir.File("koji-1.35.3.tar.gz", "only its existence is checked");

    public void Dispose() => _dir.Dispose();

    private string StackFile(string body) => _dir.File("stack.yaml", $"name: acme\nkoji:\n  path: {_koji}\n{body}");

    private InputException Refused(string body) =>
        Assert.Throws<InputException>(() => StackLoader.Load(StackFile(body), environment: new Dictionary<string, string>()));

    [Theory]
    [InlineData("hub:\n  settings:\n    EmailDomain: \"x\\n[policy]\\ntag = all :: allow\"\n", "hub.settings.EmailDomain")]
    [InlineData("web:\n  siteName: \"koji\\nLibPath = /tmp\"\n", "web.siteName")]
    [InlineData("builders:\n  allowedScms: [\"git.example.com:/*:false\\nallowed_scms = *:/*\"]\n", "builders.allowedScms[0]")]
    [InlineData("builders:\n  remote:\n    - name: b1\n      address: 10.0.0.5\n      privateKey: k\n      hubUrl: \"https://hub:8443/kojihub\\r\\nserver = https://evil\"\n", "builders.remote[0].hubUrl")]
    [InlineData("organization: \"Acme\\u0000, Inc.\"\n", "organization")]
    [InlineData("hub:\n  publicHost: \"koji.example.com\\u2028x\"\n", "hub.publicHost")]
    public void A_control_character_anywhere_is_refused_naming_the_key(string body, string key)
    {
        var ex = Refused(body);
        Assert.Contains($": {key}: holds a control character", ex.Message);
    }

    [Fact]
    public void The_value_reaches_the_set_layer_check_too()
    {
        var ex = Assert.Throws<InputException>(() => StackLoader.Load(StackFile(""), ["web.siteName=a\nb"], new Dictionary<string, string>()));
        Assert.StartsWith("--set web.siteName: web.siteName: holds a control character (U+000A)", ex.Message);
    }

    [Theory]
    [InlineData("name: \"acme\\n\"\n")]
    [InlineData("name: acme\nadmin:\n  name: \"kojiadmin\\n\"\n")]
    [InlineData("name: acme\ndatabase:\n  user: \"koji\\n\"\n")]
    public void Name_patterns_do_not_let_a_trailing_newline_through(string body)
    {
        // Before the control-character check, these patterns ended in $, which matches before a final newline.
        var ex = Assert.Throws<InputException>(() => StackLoader.Load(_dir.File("stack.yaml", $"koji:\n  path: {_koji}\n" + body), environment: new Dictionary<string, string>()));
        Assert.Contains("control character", ex.Message);
    }

    [Theory]
    [InlineData("acme\n")]
    [InlineData("acme\r\n")]
    public void Stack_and_host_name_patterns_are_anchored_at_the_very_end(string name)
    {
        // Pinned on the patterns themselves: a value must not pass because of a trailing newline.
        Assert.DoesNotMatch(@"\A(?:[a-z][a-z0-9-]{0,30}[a-z0-9]|[a-z])\z", name);
        Assert.Matches("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", "acme\n"); // what the old pattern allowed
        Assert.Null(StackValues.TextProblem("acme"));
        Assert.NotNull(StackValues.TextProblem(name));
    }

    [Theory]
    [InlineData(" ", "hub.publicHost")]
    [InlineData("../../x", "hub.publicHost")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "hub.publicHost")]
    public void A_public_host_the_certificate_cannot_carry_is_refused(string host, string key)
    {
        var ex = Refused($"hub:\n  publicHost: '{host}'\n");
        Assert.Contains($": {key}: ", ex.Message);
    }

    [Theory]
    [InlineData("hub", " ")]
    [InlineData("hub", "../../x")]
    [InlineData("hub", "localhost")]
    [InlineData("web", "300.1.1.1")]
    [InlineData("database", "fe80::1%eth0")]
    public void A_bind_address_that_is_not_an_IP_address_is_refused(string part, string address)
    {
        var ex = Refused($"{part}:\n  bindAddress: '{address}'\n");
        Assert.Contains($": {part}.bindAddress: '{address}' is not an IP address to listen on", ex.Message);
    }

    [Theory]
    [InlineData("git.example.com:/pkgs/* extra:/*")]
    [InlineData("no-path")]
    public void An_allowed_scms_entry_with_a_space_or_no_path_is_refused(string entry)
    {
        var ex = Refused($"builders:\n  allowedScms: ['{entry}']\n");
        Assert.Contains("builders.allowedScms[0]: ", ex.Message);
    }

    [Fact]
    public void Good_values_still_load()
    {
        var stack = StackLoader.Load(StackFile("hub:\n  publicHost: koji.example.com\n  bindAddress: 0.0.0.0\n  settings:\n    EmailDomain: example.com\nweb:\n  bindAddress: '::1'\nbuilders:\n  allowedScms: ['git.example.com:/pkgs/*:false']\n"),
            environment: new Dictionary<string, string>());
        Assert.Equal("koji.example.com", stack.Spec.Hub.PublicHost);
    }

    [Fact]
    public void A_stack_without_a_koji_source_loads_for_commands_that_only_read()
    {
        var file = _dir.File("ro.yaml", "name: acme\nkoji:\n  from: source\n");
        var stack = StackLoader.Load(file, environment: new Dictionary<string, string>());
        Assert.Null(stack.KojiSourcePath);
    }
}
