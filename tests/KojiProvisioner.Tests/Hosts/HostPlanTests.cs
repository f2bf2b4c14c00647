using KojiProvisioner.Hosts;

namespace KojiProvisioner.Tests.Hosts;

/// <summary>What a remote builder host gets, from what it has: no upload and no restart when nothing changed.</summary>
public sealed class HostPlanTests
{
    [Theory]
    [InlineData(null, null, false, "install")]          // a new host
    [InlineData("old", "c1", true, "install")]          // a new Koji: reinstall and reconfigure
    [InlineData("i1", "old", true, "configure")]        // a new kojid.conf or certificate
    [InlineData("i1", "c1", false, "start kojid")]      // set up, but kojid stopped
    [InlineData("i1", "c1", true, "up to date")]
    public void The_host_gets_only_what_differs(string? installHash, string? configHash, bool running, string expected)
    {
        var plan = HostPlan.For(new HostObservation(installHash, configHash, Systemd: true, KojidRunning: running), "i1", "c1");
        Assert.Equal(expected, plan.ToString());
        Assert.Equal(expected == "up to date", plan.IsEmpty);
        Assert.Equal(expected == "install", plan.Install);
        Assert.Equal(expected is "install" or "configure", plan.Configure);
    }
}
