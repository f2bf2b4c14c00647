using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.Templates;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Templates;

/// <summary>What each rendered file holds for the demo stack, key by key, as Koji reads it.</summary>
public sealed class RenderedConfigTests
{
    private readonly FarmPlan _plan = TestFarm.Plan(TestFarm.Stack(), ["opendev.org:/starlingx/*:false"]);

    private string File(string container, string path) => _plan.Container(container).Files.Single(f => f.Path == path).Text;

    [Fact]
    public void Hub_conf_has_the_database_auth_and_scheduler_settings()
    {
        var hub = Ini.Section(File("demo-hub", "/etc/koji-hub/hub.conf"), "hub");
        Assert.Equal("koji", hub["DBName"]);
        Assert.Equal("koji", hub["DBUser"]);
        Assert.Equal("db", hub["DBHost"]);
        Assert.Equal("5432", hub["DBPort"]);
        Assert.Equal("dbsecret", hub["DBPass"]);
        Assert.Equal("/mnt/koji", hub["KojiDir"]);
        Assert.Equal("CN", hub["DNUsernameComponent"]);
        Assert.Equal("CN=kojiweb,OU=kojiweb,O=Acme", hub["ProxyDNs"]);
        Assert.Equal("Off", hub["LoginCreatesUser"]);
        Assert.Equal("https://localhost:8444/koji", hub["KojiWebURL"]);
        Assert.Equal("5", hub["RunInterval"]);
    }

    [Fact]
    public void Hub_conf_holds_only_keys_the_hub_reads()
    {
        var stack = TestFarm.Stack(edit: s => s.Hub.Settings["MaxRepoTasks"] = "8");
        var hub = Ini.Section(File(TestFarm.Plan(stack), "demo-hub", "/etc/koji-hub/hub.conf"), "hub");
        Assert.Equal("8", hub["MaxRepoTasks"]);
        Assert.All(hub.Keys, k => Assert.Contains(k, HubConfigKeys.Known));
    }

    private static string File(FarmPlan plan, string container, string path) => plan.Container(container).Files.Single(f => f.Path == path).Text;

    [Fact]
    public void Hub_vhost_asks_for_client_certificates_at_the_vhost_level_and_serves_kojihub_and_kojifiles()
    {
        var vhost = File("demo-hub", "/etc/koji-farm/httpd/kojihub.conf");
        var lines = vhost.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains("Alias /kojihub /usr/share/koji-hub/kojiapp.py", lines);
        Assert.Contains("Alias /kojifiles /mnt/koji/", lines);
        Assert.Contains("SetHandler wsgi-script", lines);
        Assert.Contains("WSGIApplicationGroup %{GLOBAL}", lines);
        Assert.Contains("WSGIScriptReloading Off", lines);
        Assert.Contains("SSLCACertificateFile /etc/koji-farm/pki/ca.crt", lines);
        Assert.Contains("SSLOptions +StdEnvVars", lines);
        // TLS 1.3: a per-location `SSLVerifyClient require` breaks ssllogin; it must be on the vhost.
        Assert.Contains("SSLVerifyClient optional", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("<Location", StringComparison.Ordinal));
    }

    [Fact]
    public void Web_conf_points_at_the_hub_inside_and_logs_in_with_its_own_certificate()
    {
        var web = Ini.Section(File("demo-web", "/etc/kojiweb/web.conf"), "web");
        Assert.Equal("https://hub/kojihub", web["KojiHubURL"]);
        Assert.Equal("https://localhost:8443/kojifiles", web["KojiFilesURL"]);
        Assert.Equal("/etc/koji-farm/pki/client.pem", web["WebCert"]);
        Assert.Equal("/etc/koji-farm/pki/ca.crt", web["KojiHubCA"]);
        Assert.Equal("websecret", web["Secret"]);
        Assert.Equal("/usr/share/koji-web/lib", web["LibPath"]);
        var vhost = File("demo-web", "/etc/koji-farm/httpd/kojiweb.conf");
        Assert.Contains("Alias /koji \"/usr/share/koji-web/scripts/wsgi_publisher.py\"", vhost);
        Assert.Contains("WSGIDaemonProcess koji lang=C.UTF-8", vhost);
    }

    [Fact]
    public void Kojid_conf_registers_under_the_builder_name_and_keeps_workdir_out_of_topdir()
    {
        var kojid = Ini.Section(File("demo-builder-2", "/etc/kojid/kojid.conf"), "kojid");
        Assert.Equal("demo-builder-2", kojid["user"]);
        Assert.Equal("https://hub/kojihub", kojid["server"]);
        Assert.Equal("https://hub/kojifiles", kojid["topurl"]);
        Assert.Equal("/mnt/koji", kojid["topdir"]);
        Assert.False(kojid["workdir"].StartsWith(kojid["topdir"], StringComparison.Ordinal));
        Assert.Equal("/etc/koji-farm/pki/client.pem", kojid["cert"]);
        Assert.Equal("/etc/koji-farm/pki/ca.crt", kojid["serverca"]);
        Assert.Equal("True", kojid["use_createrepo_c"]);
        Assert.Equal("5", kojid["maxjobs"]);
        Assert.Equal("/var/lib/mock", kojid["mockdir"]);
    }

    [Fact]
    public void Kojira_conf_uses_the_inside_hub_url_and_its_certificate()
    {
        var kojira = Ini.Section(File("demo-kojira", "/etc/kojira/kojira.conf"), "kojira");
        Assert.Equal("https://hub/kojihub", kojira["server"]);
        Assert.Equal("/mnt/koji", kojira["topdir"]);
        Assert.Equal("/etc/koji-farm/pki/client.pem", kojira["cert"]);
        Assert.Equal("/etc/koji-farm/pki/ca.crt", kojira["serverca"]);
    }

    [Fact]
    public void Client_profile_uses_the_outside_urls_and_ssl_auth()
    {
        var stack = TestFarm.Stack();
        var profile = TestFarm.Planner.ClientProfile(stack, "/state/client/admin.pem", "/state/pki/ca.crt");
        var section = Ini.Section(profile, "demo");
        Assert.Equal("https://localhost:8443/kojihub", section["server"]);
        Assert.Equal("https://localhost:8444/koji", section["weburl"]);
        Assert.Equal("https://localhost:8443/kojifiles", section["topurl"]);
        Assert.Equal("ssl", section["authtype"]);
        Assert.Equal("/state/client/admin.pem", section["cert"]);
        Assert.Equal("/state/pki/ca.crt", section["serverca"]);
    }

    [Fact]
    public void An_unknown_template_variable_fails_naming_the_template_and_line()
    {
        using var dir = new TempDir();
        dir.File("templates/x/bad.conf.sbn", "[x]\nfine = {{ stack.name }}\nbroken = {{ stack.nmae }}\n");
        var renderer = new TemplateRenderer(Path.Combine(dir.Path, "templates"));
        var model = new Dictionary<string, object?> { ["stack"] = new Dictionary<string, object?> { ["name"] = "demo" } };
        var e = Assert.Throws<FarmException>(() => renderer.Render("x/bad.conf.sbn", model));
        Assert.StartsWith("templates/x/bad.conf.sbn:3:", e.Message);
        Assert.Contains("nmae", e.Message);
    }
}
