using KojiProvisioner.Farm;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Farm;

/// <summary>The volumes say which state folder made the farm; `up` compares before changing anything.</summary>
public class FarmIdentityTests
{
    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Volumes(params (string Name, string? Fingerprint)[] volumes) =>
        volumes.ToDictionary(v => v.Name, v => (IReadOnlyDictionary<string, string>)(v.Fingerprint is null
            ? new Dictionary<string, string> { [Labels.Stack] = "demo" }
            : new Dictionary<string, string> { [Labels.Stack] = "demo", [Labels.StateFingerprint] = v.Fingerprint }));

    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    [Fact]
    public void Volumes_of_this_state_folder_or_without_a_fingerprint_match()
    {
        Assert.Empty(FarmIdentity.Foreign("aaa", None, Volumes(("demo-db", "aaa"), ("demo-koji", "aaa"))));
        Assert.Empty(FarmIdentity.Foreign("aaa", None, Volumes(("demo-db", null))));
        Assert.Empty(FarmIdentity.Foreign(null, None, Volumes()));
    }

    [Fact]
    public void Volumes_of_another_or_a_lost_state_folder_do_not_match_until_adopted()
    {
        var volumes = Volumes(("demo-db", "bbb"), ("demo-koji", "bbb"));
        Assert.Equal(["bbb"], FarmIdentity.Foreign("aaa", None, volumes));
        Assert.Equal(["bbb"], FarmIdentity.Foreign(null, None, volumes));
        Assert.Empty(FarmIdentity.Foreign("aaa", new HashSet<string> { "bbb" }, volumes));
    }

    [Fact]
    public void The_message_names_the_folder_the_farm_and_what_to_do()
    {
        var volumes = Volumes(("demo-db", "bbbbbbbbbbbbbbbbbbbbbbbb"), ("demo-koji", "bbbbbbbbbbbbbbbbbbbbbbbb"));
        var message = FarmIdentity.MismatchMessage("demo", "/srv/demo/.state/demo", null, ["bbbbbbbbbbbbbbbbbbbbbbbb"], volumes);
        Assert.Contains("stack 'demo': the farm on this engine (volumes demo-db, demo-koji) was made from another state folder (CA sha256:bbbbbbbbbbbbbbbb)", message);
        Assert.Contains("the state folder /srv/demo/.state/demo has no CA", message);
        Assert.Contains("up --adopt", message);
    }

    [Fact]
    public void Adopted_fingerprints_are_kept_in_the_state_folder()
    {
        using var dir = new TempDir();
        var state = new StateFolder(dir.Path);
        FarmIdentity.RecordAdopted(state, ["bbb"]);
        FarmIdentity.RecordAdopted(state, ["ccc", "bbb"]);
        Assert.Equal(["bbb", "ccc"], FarmIdentity.Adopted(state).Order());
        Assert.Null(FarmIdentity.Fingerprint(state));
        dir.File("pki/ca.crt", "x");
        Assert.Equal("2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881", FarmIdentity.Fingerprint(state));
    }
}
