using KojiProvisioner.Koji;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Koji;

/// <summary>
/// Profiles are read as Koji 1.35's <c>koji.read_config</c> and <c>read_config_files</c> read them:
/// /etc/koji.conf.d/*.conf, /etc/koji.conf, then ~/.koji/config.d/*.conf and ~/.koji/config (or
/// only the -c file instead of the user's two), later files winning option by option, with
/// Python configparser's syntax and os.path.expanduser on cert paths.
/// </summary>
public sealed class KojiProfileTests : IDisposable
{
    private readonly TempDir _dir = new();
    private string Home => Path.Combine(_dir.Path, "home");
    private string Etc => Path.Combine(_dir.Path, "etc");
    private KojiConfigLocations At => new(Home, Etc);

    private string Write(string relative, string text)
    {
        var full = Path.Combine(_dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Later_files_win_option_by_option_in_the_koji_cli_order()
    {
        Write("etc/koji.conf.d/b.conf", "[p]\nserver = https://etc-d-b/kojihub\nweburl = https://etc-d-b/koji\ntopurl = https://etc-d-b/kojifiles\nauthtype = kerberos\n");
        Write("etc/koji.conf.d/a.conf", "[p]\nserver = https://etc-d-a/kojihub\nweburl = https://etc-d-a/koji\n");
        Write("etc/koji.conf.d/ignored.txt", "[p]\nserver = https://not-a-conf-file/kojihub\n");
        Write("etc/koji.conf", "[p]\nserver = https://etc/kojihub\nweburl = https://etc/koji\n");
        Write("home/.koji/config.d/x.conf", "[p]\nserver = https://home-d/kojihub\n");
        Write("home/.koji/config", "[p]\nauthtype = ssl\n");

        var profile = KojiProfileReader.Read("p", At);

        Assert.Equal("https://home-d/kojihub", profile.Server);     // ~/.koji/config.d over /etc
        Assert.Equal("https://etc/koji", profile.WebUrl);            // /etc/koji.conf over /etc/koji.conf.d
        Assert.Equal("https://etc-d-b/kojifiles", profile.TopUrl);   // b.conf is read after a.conf, and nothing later sets it
        Assert.Equal("ssl", profile.AuthType);                       // ~/.koji/config is read last
        Assert.Equal([
            Path.Combine(Etc, "koji.conf.d", "a.conf"), Path.Combine(Etc, "koji.conf.d", "b.conf"), Path.Combine(Etc, "koji.conf"),
            Path.Combine(Home, ".koji", "config.d", "x.conf"), Path.Combine(Home, ".koji", "config"),
        ], profile.Files);
    }

    [Fact]
    public void A_config_file_replaces_the_users_own_files_but_not_the_systems()
    {
        Write("etc/koji.conf", "[p]\nserver = https://etc/kojihub\ntopurl = https://etc/kojifiles\n");
        Write("home/.koji/config", "[p]\nserver = https://home/kojihub\n");
        var other = Write("other.conf", "[p]\nserver = https://other/kojihub\n");

        var profile = KojiProfileReader.Read("p", At, other);

        Assert.Equal("https://other/kojihub", profile.Server);
        Assert.Equal("https://etc/kojifiles", profile.TopUrl);
        Assert.DoesNotContain(Path.Combine(Home, ".koji", "config"), profile.Files);
    }

    [Fact]
    public void A_missing_config_file_is_an_error_naming_it_and_a_missing_profile_names_the_files_read()
    {
        var missing = Assert.Throws<KojiConfigException>(() => KojiProfileReader.Read("p", At, "~/nope.conf"));
        Assert.Contains(Path.Combine(Home, "nope.conf"), missing.Message);

        Write("home/.koji/config", "[other]\nserver = https://x/kojihub\n");
        var none = Assert.Throws<KojiConfigException>(() => KojiProfileReader.Read("p", At));
        Assert.Contains("[p]", none.Message);
        Assert.Contains(Path.Combine(Home, ".koji", "config"), none.Message);
    }

    [Fact]
    public void Cert_paths_expand_the_tilde_and_default_to_the_koji_files_in_the_home_only_when_they_exist()
    {
        Write("home/.koji/config", "[p]\nserver = https://h/kojihub\ncert = ~/certs/me.pem\n");
        var profile = KojiProfileReader.Read("p", At);
        Assert.Equal(Path.Combine(Home, "certs", "me.pem"), profile.Cert);
        Assert.Equal("", profile.ServerCa); // ~/.koji/serverca.crt does not exist
        Assert.Null(profile.ServerCaSource);

        Write("home/.koji/serverca.crt", "ca");
        Assert.Equal(Path.Combine(Home, ".koji", "serverca.crt"), KojiProfileReader.Read("p", At).ServerCa);
    }

    [Fact]
    public void Configparser_syntax_comments_continuations_case_defaults_and_interpolation()
    {
        Write("home/.koji/config", """
            [DEFAULT]
            base = https://koji.example.com
            # a comment
            [p]
            ; another comment
              # an indented comment
            SERVER: %(base)s/kojihub
            weburl = %(base)s/koji
              and a continuation line
            topurl = 100%% files
            AuthType = ssl
            """);
        var profile = KojiProfileReader.Read("p", At);
        Assert.Equal("https://koji.example.com/kojihub", profile.Server);
        Assert.Equal("https://koji.example.com/koji\nand a continuation line", profile.WebUrl);
        Assert.Equal("100% files", profile.TopUrl);
        Assert.Equal("ssl", profile.AuthType);
        // section names keep their case, as in configparser
        Assert.Throws<KojiConfigException>(() => KojiProfileReader.Read("P", At));
    }

    [Theory]
    [InlineData("[p]\nserver = a\nserver = b\n", "appears twice")]
    [InlineData("server = a\n[p]\n", "[section]")]
    [InlineData("[p]\njust words\n", "not an option line")]
    [InlineData("[p]\nserver = 5%\n", "%%")]
    [InlineData("[p]\nserver = %(nothing)s\n", "%(nothing)s")]
    public void Malformed_files_are_errors_with_the_file_and_line(string text, string expected)
    {
        var file = Write("home/.koji/config", text);
        var e = Assert.Throws<KojiConfigException>(() => KojiProfileReader.Read("p", At));
        Assert.Contains(expected, e.Message);
        Assert.Contains(file, e.Message);
    }

    [Fact]
    public void Authtype_follows_activate_session_ssl_when_the_cert_exists_kerberos_otherwise()
    {
        var cert = Write("home/.koji/client.crt", "pem");
        Write("home/.koji/config", "[p]\nserver = https://h/kojihub\n[q]\nserver = https://h/kojihub\nauthtype = GSSAPI\n[n]\nauthtype = noauth\n");
        Assert.Equal(KojiAuth.Ssl, KojiProfileReader.Read("p", At).Auth);
        Assert.Equal(cert, KojiProfileReader.Read("p", At).Cert);
        Assert.Equal(KojiAuth.Kerberos, KojiProfileReader.Read("q", At).Auth);
        Assert.Equal(KojiAuth.None, KojiProfileReader.Read("n", At).Auth);
        Assert.Equal("http://localhost/kojihub", KojiProfileReader.Read("n", At).Server); // Koji's default

        File.Delete(cert);
        Assert.Equal(KojiAuth.Kerberos, KojiProfileReader.Read("p", At).Auth);
    }

    [Fact]
    public void A_profile_that_names_a_missing_cert_is_refused_naming_the_file_and_where_it_was_set()
    {
        var config = Write("home/.koji/config", "[p]\nserver = https://h/kojihub\nauthtype = ssl\ncert = ~/.koji/gone.pem\n");
        var e = Assert.Throws<HubTargetException>(() => HubTarget.FromProfile(KojiProfileReader.Read("p", At)));
        Assert.Contains(Path.Combine(Home, ".koji", "gone.pem"), e.Message);
        Assert.Contains($"{config}:4", e.Message);
    }

    [Fact]
    public void Kerberos_profiles_read_anonymously_and_refuse_to_log_in_naming_profile_and_authtype()
    {
        Write("home/.koji/config", "[fedora]\nserver = https://koji.fedoraproject.org/kojihub\nauthtype = kerberos\n");
        var target = HubTarget.FromProfile(KojiProfileReader.Read("fedora", At));
        Assert.Null(target.Options.ClientCertificatePem);
        var e = Assert.Throws<HubTargetException>(() => target.RequireLogin("content apply"));
        Assert.Contains("profile 'fedora'", e.Message);
        Assert.Contains("authtype kerberos", e.Message);
    }

    [Fact]
    public void Expanduser_matches_python()
    {
        Write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nbob:x:1000:1000::/home/bob:/bin/sh\n");
        Assert.Equal(Home, At.ExpandUser("~"));
        Assert.Equal(Path.Combine(Home, "x"), At.ExpandUser("~/x"));
        Assert.Equal("/home/bob/c.pem", At.ExpandUser("~bob/c.pem"));
        Assert.Equal("~nobody/c.pem", At.ExpandUser("~nobody/c.pem"));
        Assert.Equal("/abs/~/x", At.ExpandUser("/abs/~/x"));
    }
}
