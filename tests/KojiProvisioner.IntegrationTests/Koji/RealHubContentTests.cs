using KojiProvisioner.Content;
using KojiProvisioner.Koji;

namespace KojiProvisioner.IntegrationTests.Koji;

/// <summary>
/// The fake-hub content tests, against a real hub: run when KOJI_HUB_URL, KOJI_HUB_CA (PEM file)
/// and KOJI_ADMIN_CERT (PEM file with certificate and key of an admin) are set. Names carry a
/// per-run prefix, and prune is not used, so a shared hub keeps everything else.
/// </summary>
public class RealHubContentTests
{
    private static KojiHubClient? Client()
    {
        var url = Environment.GetEnvironmentVariable("KOJI_HUB_URL");
        var ca = Environment.GetEnvironmentVariable("KOJI_HUB_CA");
        var cert = Environment.GetEnvironmentVariable("KOJI_ADMIN_CERT");
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(ca) || string.IsNullOrEmpty(cert)) return null;
        var pem = File.ReadAllText(cert);
        return new KojiHubClient(new KojiHubClientOptions
        {
            HubUrl = new Uri(url), CaCertificatePem = File.ReadAllText(ca), ClientCertificatePem = pem, ClientKeyPem = pem,
        });
    }

    private static string Content(string p) => $"""
        package_owner: kojiadmin
        external_repos:
          - name: {p}-centos7-base
            url: https://vault.centos.org/7.9.2009/os/$arch/
        tags:
          - name: {p}-base
            arches: [x86_64]
            packages: [bash, fm-common]
          - name: {p}-build
            arches: [x86_64]
            extra:
              mock.package_manager: yum
              mock.new_chroot: 0
            inheritance: [{p}-base]
            external_repos:
              - name: {p}-centos7-base
                priority: 10
                merge_mode: bare
            groups:
              - name: build
                packages: [bash, coreutils, rpm-build]
              - name: srpm-build
                packages: [bash, rpm-build]
          - name: {p}-candidate
            inheritance: [{p}-base]
            packages:
              - {'{'}name: bash, blocked: true{'}'}
        targets:
          - name: {p}
            build_tag: {p}-build
            dest_tag: {p}-candidate
        """;

    [SkippableFact]
    public async Task Apply_converges_and_export_reapplies_as_no_op()
    {
        using var client = Client();
        Skip.If(client is null, "set KOJI_HUB_URL, KOJI_HUB_CA and KOJI_ADMIN_CERT to run against a real hub");
        var prefix = "kp" + DateTime.UtcNow.ToString("MMddHHmmss");
        var desired = ContentLoader.LoadText(Content(prefix), "real-hub.yaml");

        var plan = await ContentPlanner.PlanAsync(client, desired, prune: false);
        var result = await ContentApplier.ApplyAsync(client, plan);
        Assert.Equal(plan.WriteCount, result.Writes);

        var again = await ContentPlanner.PlanAsync(client, desired, prune: false);
        Assert.True(again.IsEmpty, again.ToString());

        var exported = ContentLoader.LoadText(await ContentExporter.ExportAsync(client), "exported.yaml");
        Assert.NotNull(exported.FindTag($"{prefix}-build"));
        var reapply = await ContentPlanner.PlanAsync(client, exported, prune: false);
        Assert.True(reapply.IsEmpty, reapply.ToString());
    }
}
