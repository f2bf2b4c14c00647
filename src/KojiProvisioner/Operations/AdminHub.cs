using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Operations;

/// <summary>The one way to reach a stack's hub: as its admin, over the hub's published port.</summary>
public static class AdminHub
{
    /// <summary>An API client logged in (on first write) as the stack's admin.</summary>
    public static KojiHubClient Client(FarmDefinition definition)
    {
        var admin = definition.Credentials.Client(Identities.Admin);
        return new HubTarget
        {
            Description = $"stack '{definition.Stack.Name}'",
            Options = Options(definition.Names.PublicHubUrl, definition.Credentials.CaCertificatePem, admin.CertificatePem, admin.PrivateKeyPem),
        }.Connect();
    }

    /// <summary>
    /// The farm's hub as a <see cref="HubTarget"/> straight from the state folder's files: the
    /// published URL, the farm CA and the admin's certificate. No certificate checks, no image
    /// hashing, so a no-op content apply costs little more than reading the hub.
    /// </summary>
    public static HubTarget Target(Stack stack)
    {
        var pki = Path.Combine(stack.StateDirectory, "pki");
        string Read(params string[] parts)
        {
            var file = Path.Combine([pki, .. parts]);
            return File.Exists(file)
                ? File.ReadAllText(file)
                : throw new FarmException($"stack '{stack.Name}' has no {Path.GetRelativePath(stack.StateDirectory, file)} in {stack.StateDirectory}: run `koji-farm up` first");
        }
        return new HubTarget
        {
            Description = $"stack '{stack.Name}'",
            Options = Options(new FarmNames(stack.Spec).PublicHubUrl, Read("ca.crt"), Read("clients", Identities.Admin + ".crt"), Read("clients", Identities.Admin + ".key")),
            CertificateUser = stack.Spec.Admin.Name,
        };
    }

    /// <summary>The admin's client from the state folder's files (see <see cref="Target"/>).</summary>
    /// <param name="probe">Fail fast, without retries: for verbs that go on when the hub is down.</param>
    public static KojiHubClient FromState(Stack stack, bool probe = false)
    {
        var target = Target(stack);
        return probe
            ? (target with { Options = target.Options with { ReadRetries = 0, Timeout = TimeSpan.FromSeconds(10) } }).Connect()
            : target.Connect();
    }

    private static KojiHubClientOptions Options(string hubUrl, string caPem, string certPem, string keyPem) => new()
    {
        HubUrl = new Uri(hubUrl),
        CaCertificatePem = caPem,
        ClientCertificatePem = certPem,
        ClientKeyPem = keyPem,
    };

    /// <summary>Errors that mean "the hub did not answer" to verbs that go on without it.</summary>
    public static bool IsUnreachable(Exception e) => e is KojiException or FarmException or HttpRequestException;
}
