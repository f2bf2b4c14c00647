using KojiProvisioner.Config;
using KojiProvisioner.Farm;
using KojiProvisioner.Templates;

namespace KojiProvisioner.Operations;

/// <summary>`client-config`: a koji client profile named after the stack, logging in with the admin certificate.</summary>
public sealed class ClientConfig(Stack stack)
{
    /// <summary>The profile, after writing the admin's certificate into the state folder (made on first use).</summary>
    public string Profile(Action<string>? waiting = null)
    {
        using var held = StateLock.Hold(stack, waiting ?? (_ => { }));
        return WriteAdminFiles(FarmDefinition.Load(stack, new StateFolder(stack.StateDirectory)));
    }

    /// <summary>Writes the profile to ~/.koji/config.d/STACK.conf and returns where.</summary>
    public string Install(string profile)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var target = Path.Combine(home, ".koji", "config.d", $"{stack.Name}.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllText(target, profile);
        return target;
    }

    /// <summary>Writes the admin's combined certificate (0600) into the state folder and returns the profile.</summary>
    public static string WriteAdminFiles(FarmDefinition definition)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(definition.AdminCertificatePath)!, FileModes.PrivateDirectory);
        StateFolder.WritePrivate(definition.AdminCertificatePath, definition.Credentials.Client(Identities.Admin).CombinedPem);
        return new FarmPlanner(new TemplateRenderer(Assets.Templates)).ClientProfile(
            definition.Stack, definition.AdminCertificatePath, definition.CaPath);
    }
}

/// <summary>`render`: every file each container will get, written into a folder (uses, and on first use makes, the stack's CA).</summary>
public sealed class Render(Stack stack)
{
    public (FarmDefinition Definition, int Files) Run(string root, Action<string>? waiting = null)
    {
        using var held = StateLock.Hold(stack, waiting ?? (_ => { }));
        var definition = FarmDefinition.Load(stack, new StateFolder(stack.StateDirectory));
        return (definition, RenderedFiles.Write(definition, root));
    }
}
