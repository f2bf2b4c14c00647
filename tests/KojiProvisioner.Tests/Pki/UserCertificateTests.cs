using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.Config;
using KojiProvisioner.Content;
using KojiProvisioner.Pki;
using KojiProvisioner.Tests.Support;
using static KojiProvisioner.Tests.Pki.PkiSamples;

namespace KojiProvisioner.Tests.Pki;

/// <summary>People's and robots' certificates, the CRL that revokes them, hub policy checks, expiry warnings.</summary>
public sealed class UserCertificateTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("alice")]
    [InlineData("ci-bot.main")]
    [InlineData("J_Doe-2")]
    public void Names_that_are_cns_koji_users_and_file_names_pass(string name) => Assert.Null(UserRegistry.NameProblem(name));

    [Theory]
    [InlineData("alice smith")]
    [InlineData("ops/alice")]
    [InlineData("")]
    [InlineData("-alice")]
    [InlineData("alice@example.com")]
    [InlineData("../alice")]
    public void Names_with_spaces_slashes_or_leading_punctuation_are_refused(string name) => Assert.NotNull(UserRegistry.NameProblem(name));

    [Fact]
    public void A_name_longer_than_a_cn_holds_is_refused() =>
        Assert.Contains("64", UserRegistry.NameProblem(new string('a', 65)));

    [Fact]
    public void The_first_up_makes_an_empty_crl_signed_by_the_ca_and_revoking_puts_the_serial_in_a_newer_one()
    {
        using var temp = new TempDirectory();
        var clock = new ManualClock(Now);
        var pki = FarmPki.LoadOrCreate(temp.Path, Request(), clock);
        Assert.Contains("created CRL", pki.Changes);
        var empty = Crl(pki.CrlPem, out var firstNumber);
        Assert.False(empty.RemoveEntry(RandomNumberGenerator.GetBytes(16)));

        var alice = FarmPki.IssueUser(temp.Path, "Acme", "alice", UserKinds.Person, TimeSpan.FromDays(90), "pw", clock);
        using (var certificate = X509Certificate2.CreateFromPem(alice.Certificate.CertificatePem))
        {
            Assert.Equal("CN=alice,OU=person,O=Acme", alice.Certificate.SubjectDn);
            Assert.Equal(Now.AddDays(90), new DateTimeOffset(certificate.NotAfter));
        }
        FarmPki.RecordUser(temp.Path, new UserRecord("alice", UserKinds.Person, ["build"], [alice.Record]), clock);
        var crlPem = FarmPki.RevokeUser(temp.Path, "alice", clock);

        var revoked = Crl(crlPem, out var number);
        Assert.True(number > firstNumber);
        Assert.True(revoked.RemoveEntry(Convert.FromHexString(alice.Record.Serial)), "alice's serial is not in the CRL");
        Assert.Equal(crlPem, File.ReadAllText(temp.Pki(FarmPki.CrlFileName)));
        Assert.True(UserRegistry.Read(temp.Path).Users.Single().Current.Revoked);
        // OpenSSL, as mod_ssl checks it: the CRL's signature is the CA's, and alice's certificate is revoked
        var userPem = Path.Combine(temp.Path, "alice.crt");
        File.WriteAllText(userPem, alice.Certificate.CertificatePem);
        var verify = Run("openssl", "verify", "-crl_check", "-CAfile", temp.Pki("ca.crt"), "-CRLfile", temp.Pki(FarmPki.CrlFileName), userPem);
        Assert.Contains("certificate revoked", verify);
    }

    [Fact]
    public void Renewing_revokes_the_old_certificate_and_keeps_the_user()
    {
        using var temp = new TempDirectory();
        var clock = new ManualClock(Now);
        FarmPki.LoadOrCreate(temp.Path, Request(), clock);
        var first = FarmPki.IssueUser(temp.Path, "Acme", "ci", UserKinds.Service, TimeSpan.FromDays(30), "pw", clock);
        var record = new UserRecord("ci", UserKinds.Service, [], [first.Record]);
        FarmPki.RecordUser(temp.Path, record, clock);
        var second = FarmPki.IssueUser(temp.Path, "Acme", "ci", UserKinds.Service, TimeSpan.FromDays(30), "pw", clock);
        var crl = FarmPki.RecordUser(temp.Path, record with { Certificates = [first.Record, second.Record] }, clock);

        var entries = Crl(crl, out _);
        Assert.True(entries.RemoveEntry(Convert.FromHexString(first.Record.Serial)));
        Assert.False(entries.RemoveEntry(Convert.FromHexString(second.Record.Serial)));
        var user = UserRegistry.Read(temp.Path).Users.Single();
        Assert.Equal(second.Record.Serial, user.Current.Serial);
        Assert.False(user.Current.Revoked);
    }

    [Fact]
    public void Up_signs_the_crl_anew_when_it_runs_out_and_keeps_it_otherwise()
    {
        using var temp = new TempDirectory();
        var clock = new ManualClock(Now);
        var first = FarmPki.LoadOrCreate(temp.Path, Request(), clock).CrlPem;
        clock.Now = Now.AddDays(100);
        Assert.Equal(first, FarmPki.LoadOrCreate(temp.Path, Request(), clock).CrlPem);
        clock.Now = Now + FarmPki.CrlLifetime - FarmPki.CrlRenewalWindow + TimeSpan.FromDays(1);
        var later = FarmPki.LoadOrCreate(temp.Path, Request(), clock);
        Assert.Contains(later.Changes, c => c.StartsWith("signed CRL anew: it expires", StringComparison.Ordinal));
        Assert.NotEqual(first, later.CrlPem);
    }

    [Fact]
    public void Expiry_warnings_name_a_user_certificate_due_within_30_days_and_the_ca_near_its_end()
    {
        using var temp = new TempDirectory();
        var clock = new ManualClock(Now);
        FarmPki.LoadOrCreate(temp.Path, Request(), clock);
        var soon = FarmPki.IssueUser(temp.Path, "Acme", "temp", UserKinds.Person, TimeSpan.FromDays(20), "pw", clock);
        var later = FarmPki.IssueUser(temp.Path, "Acme", "dev", UserKinds.Person, TimeSpan.FromDays(200), "pw", clock);
        FarmPki.RecordUser(temp.Path, new UserRecord("temp", UserKinds.Person, [], [soon.Record]), clock);
        FarmPki.RecordUser(temp.Path, new UserRecord("dev", UserKinds.Person, [], [later.Record]), clock);

        var now = FarmPki.Expiring(temp.Path, Now, FarmPki.ExpiryWarningWindow);
        Assert.Equal(["user temp"], now.Select(e => e.What));
        Assert.Equal("user temp expires 2026-03-21 (in 20 days)", now.Single().Describe(Now));

        var nearCaEnd = Now.AddYears(CertificateAuthority.CaLifetimeYears).AddDays(-10);
        Assert.Contains(FarmPki.Expiring(temp.Path, nearCaEnd, FarmPki.ExpiryWarningWindow), e => e.What == "CA");
    }

    [Fact]
    public void Up_renews_the_farms_own_certificates_inside_the_renewal_window()
    {
        using var temp = new TempDirectory();
        var clock = new ManualClock(Now);
        var first = FarmPki.LoadOrCreate(temp.Path, Request(), clock);
        clock.Now = Now + CertificateAuthority.LeafLifetime - FarmPki.LeafRenewalWindow + TimeSpan.FromDays(1);
        Assert.Contains(FarmPki.Expiring(temp.Path, clock.Now, FarmPki.ExpiryWarningWindow), e => e.What == "client kojiweb");
        var renewed = FarmPki.LoadOrCreate(temp.Path, Request(), clock);
        Assert.Contains(renewed.Changes, c => c.StartsWith("renewed client kojiweb", StringComparison.Ordinal));
        Assert.NotEqual(first.Clients["kojiweb"].Thumbprint, renewed.Clients["kojiweb"].Thumbprint);
        Assert.DoesNotContain(FarmPki.Expiring(temp.Path, clock.Now, FarmPki.ExpiryWarningWindow), e => e.What.StartsWith("client", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("all :: allow")]
    [InlineData("has_perm admin :: allow", "tag *-release && user releng :: allow", "all :: deny only releng # a comment")]
    [InlineData("tag *-release :: {", "  user releng :: allow", "  all :: deny", "}", "all :: allow")]
    [InlineData("is_new_package !! allow", "", "# only a comment", "all :: deny")]
    public void Well_formed_policies_pass(params string[] lines) => Assert.Null(HubPolicy.Problem(lines));

    [Theory]
    [InlineData(0, "has_perm admin allow")]
    [InlineData(1, "all :: allow", "has_perm admin ::")]
    [InlineData(0, ":: allow")]
    [InlineData(0, "has_perm admin && :: allow")]
    [InlineData(1, "all :: allow", "}")]
    [InlineData(1, "tag foo :: {", "all :: allow")]
    [InlineData(0, "tag foo :: { all :: allow }")]
    public void Malformed_rules_name_their_line(int line, params string[] lines) =>
        Assert.Equal(line, HubPolicy.Problem(lines)?.Line);

    [Fact]
    public void Permissions_named_by_has_perm_are_found_without_patterns()
    {
        var named = HubPolicy.PermissionsNamed(new Dictionary<string, List<string>>
        {
            ["tag"] = ["has_perm build && tag *-candidate :: allow", "has_perm admin releng-* :: allow", "all :: deny has_perm nothing"],
        });
        Assert.Equal(["admin", "build"], named.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Prune_keeps_permissions_user_add_granted_and_says_so()
    {
        var desired = new KojiContent { Users = [new UserSpec { Name = "alice", Permissions = ["repo"] }] };
        var actual = new HubState
        {
            Permissions = new HashSet<string>(["build", "repo", "tag"]),
            UserNames = new HashSet<string>(["alice"]),
            Users = new Dictionary<string, UserSpec> { ["alice"] = new() { Name = "alice", Permissions = ["build", "repo", "tag"] } },
        };
        var prune = PruneScope.All with { KeepGranted = new Dictionary<string, IReadOnlyList<string>> { ["alice"] = ["build"] } };
        var changes = ContentDiff.Compute(desired, actual, prune);
        Assert.Equal(["alice/tag"], changes.Where(c => c.Action == ContentAction.Remove).Select(c => c.Object));
        Assert.Equal(["kept build of alice: granted by `koji-farm user add`"], ContentDiff.Kept(desired, actual, prune));
    }

    private static CertificateRevocationListBuilder Crl(string pem, out BigInteger number) =>
        CertificateRevocationListBuilder.LoadPem(pem, out number);

    private static string Run(string program, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return stdout.Result + stderr;
    }
}
