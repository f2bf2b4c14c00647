using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Operations;

/// <summary>The one way to reach a stack's hub: as its admin, over the hub's published port.</summary>
public static class AdminHub
{
    /// <summary>Overrides the multicall batch size (a positive number), for measuring it
    /// (bench/content-apply). Not KOJIFARM_*: those variables are stack settings.</summary>
    public const string BatchSizeVariable = "KOJI_FARM_BATCH_SIZE";

    /// <summary>An API client logged in (on first write) as the stack's admin.</summary>
    public static KojiHubClient Client(FarmDefinition definition)
    {
        var admin = definition.Credentials.Client(Identities.Admin);
        return Client(definition.Names.PublicHubUrl, definition.Credentials.CaCertificatePem, admin.CertificatePem, admin.PrivateKeyPem);
    }

    /// <summary>
    /// The admin's client straight from the state folder's files, for commands that only talk to the
    /// hub (content diff/apply/export): no certificate checks, no image hashing, so a no-op apply
    /// costs little more than reading the hub.
    /// </summary>
    /// <param name="probe">Fail fast, without retries: for verbs that go on when the hub is down.</param>
    public static KojiHubClient FromState(Stack stack, bool probe = false)
    {
        var pki = Path.Combine(stack.StateDirectory, "pki");
        string Read(params string[] parts)
        {
            var file = Path.Combine([pki, .. parts]);
            return File.Exists(file)
                ? File.ReadAllText(file)
                : throw new FarmException($"stack '{stack.Name}' has no {Path.GetRelativePath(stack.StateDirectory, file)} in {stack.StateDirectory}: run `koji-farm up` first");
        }
        return Client(new FarmNames(stack.Spec).PublicHubUrl, Read("ca.crt"),
            Read("clients", Identities.Admin + ".crt"), Read("clients", Identities.Admin + ".key"), probe);
    }

    private static KojiHubClient Client(string hubUrl, string caPem, string certPem, string keyPem, bool probe = false)
    {
        var options = new KojiHubClientOptions
        {
            HubUrl = new Uri(hubUrl),
            CaCertificatePem = caPem,
            ClientCertificatePem = certPem,
            ClientKeyPem = keyPem,
        };
        if (probe)
            options = options with { ReadRetries = 0, Timeout = TimeSpan.FromSeconds(10) };
        if (int.TryParse(Environment.GetEnvironmentVariable(BatchSizeVariable), out var batchSize) && batchSize > 0)
            options = options with { BatchSize = batchSize };
        return new KojiHubClient(options);
    }

    /// <summary>Errors that mean "the hub did not answer" to verbs that go on without it.</summary>
    public static bool IsUnreachable(Exception e) => e is KojiException or FarmException or HttpRequestException;
}
