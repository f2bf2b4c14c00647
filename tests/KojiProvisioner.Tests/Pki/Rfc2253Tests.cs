using System.Security.Cryptography.X509Certificates;
using KojiProvisioner.Pki;

namespace KojiProvisioner.Tests.Pki;

public sealed class Rfc2253Tests
{
    [Theory]
    [InlineData("Acme", "Acme")]
    [InlineData("Acme, Inc.", @"Acme\, Inc.")]
    [InlineData(@"a+b""c\d<e>f;g", @"a\+b\""c\\d\<e\>f\;g")]
    [InlineData("#1 Acme", @"\#1 Acme")]
    [InlineData("Acme #1", "Acme #1")]
    [InlineData(" Acme ", @"\ Acme\ ")]
    [InlineData("a=b", "a=b")]
    [InlineData("tab\there", @"tab\09here")]
    [InlineData("Müller GmbH", "Müller GmbH")]
    public void EscapeValue_FollowsRfc2253AsOpenSslPrintsIt(string value, string expected)
    {
        Assert.Equal(expected, Rfc2253.EscapeValue(value));
    }

    [Fact]
    public void Format_PutsTheMostSpecificRdnFirst()
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName("kojiweb");
        builder.AddOrganizationalUnitName("kojiweb");
        builder.AddOrganizationName("Acme, Inc.");

        Assert.Equal(@"CN=kojiweb,OU=kojiweb,O=Acme\, Inc.", Rfc2253.Format(builder.Build()));
    }

    [Fact]
    public void Format_AgreesWithDotNetOnTheValuesAndOrder()
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName("b1");
        builder.AddOrganizationalUnitName("builder");
        builder.AddOrganizationName("Acme, Inc.");
        var name = builder.Build();

        // .NET quotes where RFC 2253 escapes; Format lists RDNs as encoded, Name most specific first
        Assert.Equal(@"O=""Acme, Inc."", OU=builder, CN=b1", name.Format(false));
        Assert.Equal(@"CN=b1, OU=builder, O=""Acme, Inc.""", name.Name);
        Assert.Equal(@"CN=b1,OU=builder,O=Acme\, Inc.", Rfc2253.Format(name));
    }

    [SkippableTheory]
    [InlineData("Acme, Inc.", "kojiweb", "kojiweb")]
    [InlineData(@"#Acme; ""Quotes"" <and> + \ ", "builder", " demo-builder-1")]
    [InlineData("Müller GmbH", "büro", "kojiadmin")]
    public void SubjectDn_IsWhatOpenSslPrintsForModSsl(string organization, string unit, string commonName)
    {
        Skip.If(PkiSamples.OpenSsl("version") is null, "openssl is not installed");
        using var temp = new TempDirectory();
        var pki = FarmPki.LoadOrCreate(temp.Path, PkiSamples.Request(organization, clients: [new ClientIdentity("c", commonName, unit)]));

        // mod_ssl uses XN_FLAG_RFC2253 without ASN1_STRFLGS_ESC_MSB: RFC 2253, UTF-8 kept as is
        var result = PkiSamples.OpenSsl("x509", "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb", "-in", temp.Pki("clients", "c.crt"))!.Value;

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("subject=" + pki.Clients["c"].SubjectDn, result.Output.TrimEnd('\n'));
    }
}
