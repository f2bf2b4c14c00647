using KojiProvisioner.Config;
using KojiProvisioner.Koji;

namespace KojiProvisioner.Farm;

/// <summary>
/// A farm's hub as a <see cref="HubTarget"/>: the published URL, the farm CA and the admin's
/// certificate, straight from the state folder's files (no certificate checks, no image hashing,
/// so a no-op content apply costs little more than reading the hub).
/// </summary>
public static class StackHubTarget
{
    public static HubTarget For(Stack stack)
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
            Options = new KojiHubClientOptions
            {
                HubUrl = new Uri(new FarmNames(stack.Spec).PublicHubUrl),
                CaCertificatePem = Read("ca.crt"),
                ClientCertificatePem = Read("clients", Identities.Admin + ".crt"),
                ClientKeyPem = Read("clients", Identities.Admin + ".key"),
            },
            CertificateUser = stack.Spec.Admin.Name,
        };
    }
}
