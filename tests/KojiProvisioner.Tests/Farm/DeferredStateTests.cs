using KojiProvisioner.Farm;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Farm;

/// <summary>
/// Loading a farm's definition writes nothing: what a new stack lacks (CA, certificates, CRL,
/// secrets) is made in memory, and `up` writes exactly that as its plan's first step.
/// </summary>
public class DeferredStateTests
{
    private static (KojiProvisioner.Config.Stack Stack, string State) NewStack(TempDir temp)
    {
        var state = Path.Combine(temp.Path, "state", "demo");
        var stack = TestFarm.Stack(builders: 1, spec => spec.Pki.KeyAlgorithm = "ecdsa") with { StateDirectory = state, KojiSourcePath = null };
        return (stack, state);
    }

    [Fact]
    public void A_deferred_load_writes_nothing_and_its_commit_writes_what_the_plan_used()
    {
        using var temp = new TempDir();
        var (stack, state) = NewStack(temp);

        var planned = FarmDefinition.Load(stack, StateFolder.DeferredAt(state));

        Assert.False(Directory.Exists(state));
        var pending = planned.State.Pending!.Paths.Select(p => Path.GetRelativePath(state, p)).ToList();
        Assert.Contains(Path.Combine("pki", "ca.key"), pending);
        Assert.Contains(Path.Combine("pki", "ca.crt"), pending);
        Assert.Contains(Path.Combine("secrets", "db-password"), pending);
        Assert.True(pending.IndexOf(Path.Combine("pki", "ca.key")) < pending.IndexOf(Path.Combine("pki", "ca.crt")), "a key is written before its certificate");

        planned.State.Commit();

        // What the plan rendered into the containers is what is now on disk: a later load reuses every part.
        var later = FarmDefinition.Load(stack, new StateFolder(state));
        Assert.True(new StateFolder(state).HasMarker);
        Assert.Equal(planned.Credentials.CaCertificatePem, later.Credentials.CaCertificatePem);
        Assert.Equal(planned.Credentials.Server.PrivateKeyPem, later.Credentials.Server.PrivateKeyPem);
        Assert.Equal(planned.Credentials.DbPassword, later.Credentials.DbPassword);
        Assert.Equal(planned.Plan.Containers.Select(c => c.ConfigHash), later.Plan.Containers.Select(c => c.ConfigHash));
        Assert.DoesNotContain(later.StateChanges, c => c.StartsWith("created", StringComparison.Ordinal));
        Assert.Equal(FileModes.Private, File.GetUnixFileMode(Path.Combine(state, "pki", "ca.key")));
        Assert.Equal(FileModes.Private, File.GetUnixFileMode(Path.Combine(state, "secrets", "db-password")));
    }

    [Fact]
    public void A_read_only_load_makes_nothing_on_disk_and_leaves_no_writes_behind()
    {
        using var temp = new TempDir();
        var (stack, state) = NewStack(temp);

        var definition = FarmDefinition.Load(stack, StateFolder.ReadOnlyAt(state));

        Assert.False(Directory.Exists(state));
        Assert.Null(definition.State.Pending);
        Assert.Contains("created CA", definition.StateChanges);
    }
}
