using KojiProvisioner.Content;

namespace KojiProvisioner.Tests.Content;

/// <summary>The shipped StarlingX content set: it loads, and seeds a hub idempotently.</summary>
public class StarlingxContentTests
{
    private static string StackFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "stacks", "starlingx", "content.yaml");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("stacks/starlingx/content.yaml not found above the test folder");
    }

    [Fact]
    public void Loads_two_os_lines_with_targets_groups_and_flock_packages()
    {
        var content = ContentLoader.LoadFile(StackFile());
        Assert.Equal(["stx-centos7", "stx-rocky8"], content.Targets.Select(t => t.Name));
        Assert.Equal(8, content.ExternalRepos.Count);
        foreach (var line in new[] { "stx-centos7", "stx-rocky8" })
        {
            var build = content.FindTag($"{line}-build")!;
            Assert.Equal(["build", "srpm-build"], build.Groups.Select(g => g.Name));
            Assert.Contains(build.Groups[0].Packages, p => p.Name == "rpm-build");
            Assert.Contains(build.Groups[0].Packages, p => p.Name == "redhat-rpm-config");
            Assert.Equal(4, build.ExternalRepos.Count);
            var basePackages = content.FindTag($"{line}-base")!.Packages.Select(p => p.Name).ToList();
            Assert.Contains("fm-common", basePackages);
            Assert.Contains("sysinv", basePackages);
            Assert.Contains("sm-db", basePackages);
            Assert.All(content.FindTag($"{line}-base")!.Packages, p => Assert.Equal("stx-releng", p.Owner));
        }
        Assert.Contains("pxe-network-installer", content.FindTag("stx-centos7-base")!.Packages.Select(p => p.Name));
        Assert.DoesNotContain("pxe-network-installer", content.FindTag("stx-rocky8-base")!.Packages.Select(p => p.Name));
        Assert.Equal(["opendev.org:/starlingx/*:false"], content.AllowedScms);
        Assert.Equal(0, content.FindTag("stx-centos7-build")!.Extra["mock.new_chroot"]);
    }

    [Fact]
    public async Task Seeds_a_hub_in_few_batches_and_a_rerun_writes_nothing()
    {
        var content = ContentLoader.LoadFile(StackFile());
        var hub = new FakeKojiHub();
        var plan = await ContentPlanner.PlanAsync(hub, content, prune: true);
        var result = await ContentApplier.ApplyAsync(hub, plan);
        Assert.Equal(plan.WriteCount, result.Writes);
        Assert.InRange(result.Batches, 2, 1 + (result.Writes / hub.BatchSize) + 1);

        var writes = hub.Writes;
        var again = await ContentPlanner.PlanAsync(hub, content, prune: true);
        Assert.True(again.IsEmpty, again.ToString());
        Assert.Equal(writes, hub.Writes);
    }
}
