using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// People and robots on a real hub and kojiweb: `user add` gives a working folder, permissions and
/// the stack's hub policy decide what each may do, `user revoke` locks one out within seconds at
/// the hub and the web, and the lock-out survives down + up.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class UsersOnRealHubTests(ITestOutputHelper output)
{
    // Only releng tags into *-release (a nested block); `build` holders tag into *-candidate.
    private const string Policy = """
          policy:
            tag:
              - "has_perm admin :: allow"
              - "tag *-release :: {"
              - "  user releng :: allow"
              - "  all :: deny only releng tags into release tags"
              - "}"
              - "has_perm build && tag *-candidate :: allow"
              - "all :: deny"

        """;

    [SkippableFact]
    public async Task Users_get_folders_permissions_and_policy_and_a_revoked_one_is_refused_by_hub_and_web()
    {
        TestStack.SkipWithoutKoji();
        var steps = new Steps(output);
        await using var stack = new TestStack("users", builders: 0);
        File.WriteAllText(stack.File, File.ReadAllText(stack.File).Replace("  runInterval: 5\n", "  runInterval: 5\n" + Policy, StringComparison.Ordinal));
        var up = await steps.Run("up with a tag policy", () => stack.RunAsync("up"));
        Assert.True(up.ExitCode == 0, up.ToString());

        string Folder(string name) => Path.Combine(stack.Directory, name + "-koji");
        foreach (var (name, args) in new[] { ("alice", new[] { "--permission", "build" }), ("bob", []), ("releng", ["--permission", "tag"]) })
        {
            var add = await steps.Run($"user add {name}", () => stack.RunAsync(["user", "add", name, "--out", Folder(name), .. args]));
            Assert.True(add.ExitCode == 0, add.ToString());
            Assert.Contains("PKCS#12 password", add.Out);
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Folder("alice")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Folder("alice"), "alice.pem")));

        await steps.Run("alice's folder profile: `koji -p STACK moshimoshi` names her", async () =>
        {
            var run = await KojiCli.RunAsync(stack.Definition(), Folder("alice"), null, "--config", Path.Combine(Folder("alice"), "koji.conf"), "-p", stack.Name, "moshimoshi");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("alice", run.Stdout);
        });

        using var admin = stack.AdminClient();
        await admin.EnsureLoggedInAsync();
        var release = $"{stack.Name}-release";
        var candidate = $"{stack.Name}-candidate";
        await steps.Run("the admin makes a release and a candidate tag and a build to tag", async () =>
        {
            foreach (var tag in new[] { release, candidate })
            {
                await admin.CallAsync("createTag", tag);
                await admin.CallAsync("packageListAdd", tag, "probe", "kojiadmin");
            }
            await admin.CallAsync("createEmptyBuild", "probe", "1", "1", null);
        });

        await steps.Run("alice (build) tags into a candidate tag; bob may not", async () =>
        {
            using var alice = await LoggedInAsync(stack, "alice");
            Assert.NotNull(await alice.CallAsync(new KojiCall("tagBuild", candidate, "probe-1-1")));
            using var bob = await LoggedInAsync(stack, "bob");
            var refused = await Assert.ThrowsAsync<KojiFaultException>(() => bob.CallAsync(new KojiCall("tagBuild", candidate, "probe-1-1")));
            Assert.Equal("koji.ActionNotAllowed", refused.ErrorClass);
        });

        await steps.Run("bob is refused an admin call with ActionNotAllowed", async () =>
        {
            using var bob = await LoggedInAsync(stack, "bob");
            var refused = await Assert.ThrowsAsync<KojiFaultException>(() => bob.CallAsync(new KojiCall("createTag", $"{stack.Name}-bobs")));
            Assert.Equal("koji.ActionNotAllowed", refused.ErrorClass);
        });

        await steps.Run("the stack's policy: bob cannot tag into *-release, releng can", async () =>
        {
            using var bob = await LoggedInAsync(stack, "bob");
            var refused = await Assert.ThrowsAsync<KojiFaultException>(() => bob.CallAsync(new KojiCall("tagBuild", release, "probe-1-1")));
            Assert.Equal("koji.ActionNotAllowed", refused.ErrorClass);
            Assert.Contains("only releng tags into release tags", refused.Message);
            using var releng = await LoggedInAsync(stack, "releng");
            Assert.NotNull(await releng.CallAsync(new KojiCall("tagBuild", release, "probe-1-1")));
        });

        await steps.Run("kojiweb logs alice in with her certificate", async () =>
            Assert.True(await WebLoginAsync(stack, "alice"), "kojiweb did not log alice in"));

        var revoke = await steps.Run("user revoke alice", () => stack.RunAsync("user", "revoke", "alice"));
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        await steps.Run("within 10 s the hub and the web refuse alice; bob still works", async () =>
        {
            var clock = Stopwatch.StartNew();
            while (await HubLoginAsync(stack, "alice") || await WebLoginAsync(stack, "alice"))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "alice was still let in 10 s after `user revoke`");
                await Task.Delay(500);
            }
            Assert.True(await HubLoginAsync(stack, "bob"), "bob was refused after alice's revocation");
            Assert.True(await WebLoginAsync(stack, "bob"), "kojiweb refused bob after alice's revocation");
        });

        var ls = await steps.Run("user ls shows alice revoked and blocked", () => stack.RunAsync("user", "ls", "--output", "json"));
        Assert.True(ls.ExitCode == 0, ls.ToString());
        var alice = System.Text.Json.JsonDocument.Parse(ls.Out).RootElement.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("name").GetString() == "alice");
        Assert.True(alice.GetProperty("revoked").GetBoolean());
        Assert.Equal("blocked", alice.GetProperty("koji").GetString());

        var down = await steps.Run("down", () => stack.RunAsync("down"));
        Assert.True(down.ExitCode == 0, down.ToString());
        var upAgain = await steps.Run("up again", () => stack.RunAsync("up"));
        Assert.True(upAgain.ExitCode == 0, upAgain.ToString());
        await steps.Run("after down + up alice is still refused at the hub and the web, bob is not", async () =>
        {
            Assert.False(await HubLoginAsync(stack, "alice"), "the hub let alice in after down + up");
            Assert.False(await WebLoginAsync(stack, "alice"), "kojiweb let alice in after down + up");
            Assert.True(await HubLoginAsync(stack, "bob"), "bob was refused after down + up");
        });
    }

    /// <summary>An API client logged in with the certificate from NAME's folder.</summary>
    private static async Task<KojiHubClient> LoggedInAsync(TestStack stack, string name)
    {
        var client = Client(stack, name);
        try
        {
            await client.LoginAsync();
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>An API client with the certificate from NAME's folder, not logged in yet.</summary>
    private static KojiHubClient Client(TestStack stack, string name)
    {
        var pem = File.ReadAllText(Path.Combine(stack.Directory, name + "-koji", name + ".pem"));
        var keyAt = pem.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal);
        return new KojiHubClient(new KojiHubClientOptions
        {
            HubUrl = new Uri($"https://localhost:{stack.HubPort}/kojihub"),
            CaCertificatePem = File.ReadAllText(Path.Combine(stack.Directory, name + "-koji", "ca.crt")),
            ClientCertificatePem = pem[..keyAt],
            ClientKeyPem = pem[keyAt..],
            ReadRetries = 0,
            Timeout = TimeSpan.FromSeconds(20),
        });
    }

    /// <summary>Whether the hub logs NAME in and names them (getLoggedInUser).</summary>
    private static async Task<bool> HubLoginAsync(TestStack stack, string name)
    {
        using var client = Client(stack, name);
        try
        {
            await client.LoginAsync();
            return (await client.CallAsync(new KojiCall("getLoggedInUser"))) is IReadOnlyDictionary<string, object?> me && me["name"] as string == name;
        }
        catch (Exception e) when (e is KojiException or HttpRequestException or IOException)
        {
            return false;
        }
    }

    /// <summary>Whether kojiweb's /koji/login, with NAME's certificate, answers with a redirect that sets its user cookie.</summary>
    private static async Task<bool> WebLoginAsync(TestStack stack, string name)
    {
        var folder = Path.Combine(stack.Directory, name + "-koji");
        var pem = File.ReadAllText(Path.Combine(folder, name + ".pem"));
        using var certificate = X509Certificate2.CreateFromPem(pem, pem);
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(folder, "ca.crt")));
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        handler.ClientCertificates.Add(certificate);
        handler.ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
        {
            if (cert is null) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(cert);
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var response = await http.GetAsync($"https://localhost:{stack.WebPort}/koji/login");
            return response.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.MovedPermanently
                && response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("user=", StringComparison.Ordinal));
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
