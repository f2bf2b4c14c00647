using KojiProvisioner.Koji;
using KojiProvisioner.Operations;
using KojiProvisioner.Tests.Content;

namespace KojiProvisioner.Tests.Operations;

/// <summary>
/// What `sign` and `dist-repo` work on, read from the hub before anything is signed or published:
/// a name the hub does not know, or a tag with nothing in it, is the user's to fix (exit 2, named).
/// </summary>
public sealed class SigningInputTests
{
    private static async Task<FakeKojiHub> HubAsync()
    {
        var hub = new FakeKojiHub();
        await hub.EnsureLoggedInAsync();
        await hub.CallAsync(new KojiCall("createTag", "rel"));
        await hub.CallAsync(new KojiCall("createTag", "rel-empty"));
        return hub;
    }

    private static async Task<InputException> RefusedAsync(IKojiHub hub, string? tag, params string[] nvrs)
    {
        var error = await Assert.ThrowsAsync<InputException>(() => SigningInput.BuildsAsync(hub, tag, nvrs, CancellationToken.None));
        Assert.Equal(ExitCode.BadInput, error.ExitCode);
        return error;
    }

    [Fact]
    public async Task An_unknown_tag_is_named()
    {
        var error = await RefusedAsync(await HubAsync(), "no-such-tag");
        Assert.Contains("unknown tag 'no-such-tag'", error.Message);
    }

    [Fact]
    public async Task A_tag_with_no_builds_is_named()
    {
        var error = await RefusedAsync(await HubAsync(), "rel-empty");
        Assert.Contains("tag 'rel-empty' holds no builds", error.Message);
    }

    [Fact]
    public async Task An_unknown_build_is_named_even_beside_a_good_tag()
    {
        var hub = await HubAsync();
        hub.TagBuild("rel", hub.AddBuild("lib", "lib-1.0-1", "git://x/lib#1"));
        var error = await RefusedAsync(hub, "rel", "lib-1.0-1", "app-9-9");
        Assert.Contains("unknown build 'app-9-9'", error.Message);
    }

    [Fact]
    public async Task A_failed_build_is_not_signed()
    {
        var hub = await HubAsync();
        hub.AddBuild("lib", "lib-1.0-2", "git://x/lib#2", BuildState.Failed);
        var error = await RefusedAsync(hub, null, "lib-1.0-2");
        Assert.Contains("build lib-1.0-2 is not complete", error.Message);
    }

    [Fact]
    public async Task Neither_tag_nor_build_asks_for_one()
    {
        var error = await RefusedAsync(await HubAsync(), null);
        Assert.Contains("--tag", error.Message);
    }

    [Fact]
    public async Task A_tag_gives_its_latest_build_of_each_package_and_a_named_build_is_not_repeated()
    {
        var hub = await HubAsync();
        hub.TagBuild("rel", hub.AddBuild("lib", "lib-1.0-1", "git://x/lib#1"));
        hub.TagBuild("rel", hub.AddBuild("lib", "lib-1.1-1", "git://x/lib#2"));
        hub.TagBuild("rel", hub.AddBuild("app", "app-2.0-3", "git://x/app#1"));

        var builds = await SigningInput.BuildsAsync(hub, "rel", ["app-2.0-3"], CancellationToken.None);

        Assert.Equal(["app-2.0-3", "lib-1.1-1"], builds.Select(b => b.Nvr));
        Assert.Equal(("lib", "1.1", "1"), (builds[1].Name, builds[1].Version, builds[1].Release));
    }
}
