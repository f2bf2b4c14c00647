using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.Operations;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Config;

/// <summary>storage.hostPath: /mnt/koji in a folder the company provides, bind-mounted, never the farm's volume, kept by `down --purge`.</summary>
public sealed class StorageHostPathTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Stack Load(string storage)
    {
        var koji = _dir.File("koji-1.35.3.tar.gz", "only its existence is checked");
        return StackLoader.Load(_dir.File("stack.yaml", $"name: acme\nkoji:\n  path: {koji}\nstorage:\n{storage}"), environment: new Dictionary<string, string>());
    }

    [Fact]
    public void A_host_folder_relative_to_the_stack_is_made_absolute_and_a_missing_one_refused()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "nfs", "koji"));
        Assert.Equal(Path.Combine(_dir.Path, "nfs", "koji"), Load("  hostPath: nfs/koji/\n").Spec.Storage.HostPath);
        var e = Assert.Throws<InputException>(() => Load("  hostPath: /nonexistent/koji-farm-nfs\n"));
        Assert.Contains("storage.hostPath: /nonexistent/koji-farm-nfs is not a folder", e.Message);
        Assert.Contains("storage.hostPath", Assert.Throws<InputException>(() => Load("  hostPath: /\n")).Message);
    }

    [Fact]
    public void Every_Koji_container_bind_mounts_the_folder_and_no_mnt_koji_volume_is_planned()
    {
        var stack = TestFarm.Stack(builders: 1, spec => spec.Storage.HostPath = "/srv/nfs/koji");
        var plan = TestFarm.Plan(stack);
        Assert.DoesNotContain(plan.Volumes, v => v.Name == new FarmNames(stack.Spec).KojiVolume);
        var kojiContainers = plan.Containers.Where(c => c.Role != Roles.Db).ToList();
        Assert.All(kojiContainers, c => Assert.Contains(c.Mounts, m => m is { Volume: "/srv/nfs/koji", Target: "/mnt/koji", IsHostPath: true }));
        Assert.False(plan.Containers.Single(c => c.Role == Roles.Hub).Mounts.Single(m => m.Target == "/mnt/koji").ReadOnly);
        Assert.True(plan.Containers.Single(c => c.Role == Roles.Builder).Mounts.Single(m => m.Target == "/mnt/koji").ReadOnly);
    }

    [Fact]
    public void Volume_options_make_the_mnt_koji_volume_an_NFS_mount_that_up_creates_with_the_local_driver()
    {
        var stack = TestFarm.Stack(builders: 0, spec => spec.Storage.VolumeOptions = new()
        {
            ["type"] = "nfs", ["o"] = "addr=nfs.acme.example,rw,nfsvers=4", ["device"] = ":/export/koji",
        });
        var plan = TestFarm.Plan(stack);
        var volume = plan.Volumes.Single(v => v.Name == "koji-farm-demo-mnt-koji");
        Assert.Equal("nfs", volume.DriverOptions["type"]);
        var converge = KojiProvisioner.Docker.ConvergePlanner.Plan(plan, new KojiProvisioner.Docker.ObservedFarm(plan.Stack, [], [], [], new Dictionary<string, string>()));
        var step = converge.Of(KojiProvisioner.Docker.ResourceKind.Volume).Single(s => s.Name == volume.Name);
        Assert.Equal("not found; /mnt/koji on nfs :/export/koji (storage.volumeOptions)", step.Cause);
        Assert.Equal(":/export/koji", converge.VolumeOptions[volume.Name]["device"]);
        Assert.Contains("kept the files of nfs :/export/koji (storage.volumeOptions): removing the volume only unmounts it", Down.KeptOnPurge(stack.Spec));
    }

    [Theory]
    [InlineData("  hostPath: nfs\n  volumeOptions:\n    type: nfs\n    device: :/x\n", "storage.volumeOptions: give storage.hostPath or storage.volumeOptions, not both")]
    [InlineData("  volumeOptions:\n    type: nfs\n    device: :/x\n    size: 1g\n", "storage.volumeOptions.size: the local volume driver takes type, o and device")]
    [InlineData("  volumeOptions:\n    type: nfs\n", "storage.volumeOptions: needs type and device")]
    public void Bad_volume_options_are_refused(string storage, string expected)
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "nfs"));
        Assert.Contains(expected, Assert.Throws<InputException>(() => Load(storage)).Message);
    }

    [Fact]
    public void Down_purge_says_it_keeps_what_koji_farm_did_not_make()
    {
        var spec = TestFarm.Stack(builders: 0, s =>
        {
            s.Storage.HostPath = "/srv/nfs/koji";
            s.Database.Host = "pg.corp.example";
        }).Spec;
        Assert.Equal(
            [
                "kept the external database koji on pg.corp.example:5432 and its data: koji-farm never drops a database it did not make",
                "kept /mnt/koji in /srv/nfs/koji (storage.hostPath): koji-farm never deletes storage it did not make",
            ],
            Down.KeptOnPurge(spec));
        Assert.Empty(Down.KeptOnPurge(TestFarm.Stack().Spec));
    }
}
