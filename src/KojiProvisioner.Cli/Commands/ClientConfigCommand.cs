using Spectre.Console;
using System.CommandLine;
using KojiProvisioner.Farm;
using KojiProvisioner.Templates;

namespace KojiProvisioner.Cli.Commands;

/// <summary>
/// `koji-farm client-config`: a koji client profile named after the stack, logging in with the
/// admin certificate, so `koji -p STACK moshimoshi` works. `--install` puts it in ~/.koji/config.d.
/// </summary>
internal static class ClientConfigCommand
{
    public static Command Create(CliIO io)
    {
        var stack = CommonOptions.Stack();
        var set = CommonOptions.Set();
        var install = new Option<bool>("--install") { Description = "Write the profile to ~/.koji/config.d/STACK.conf instead of printing it" };
        var command = new Command("client-config", "Print (or install) a koji client profile for the stack's admin") { stack, set, install };
        command.SetAction((parse, _) => CommonOptions.Guard(io, () =>
        {
            var loaded = CommonOptions.LoadStack(parse, stack, set, needsKojiSource: false);
            using var held = StateFolderLock.Acquire(new StateFolder(loaded.StateDirectory), waiting: m => io.Error.WriteLine($"koji-farm: {m}"));
            var definition = FarmDefinition.Load(loaded, new StateFolder(loaded.StateDirectory));
            var profile = WriteAdminFiles(definition);
            if (!parse.GetValue(install))
            {
                io.Out.Write(profile);
                return Task.FromResult(0);
            }
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var target = Path.Combine(home, ".koji", "config.d", $"{loaded.Name}.conf");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, profile);
            io.Console.MarkupLine($"wrote {Spectre.Console.Markup.Escape(target)}: try [bold]koji -p {loaded.Name} moshimoshi[/]");
            return Task.FromResult(0);
        }));
        return command;
    }

    /// <summary>Writes the admin's combined certificate (0600) into the state folder and returns the profile.</summary>
    public static string WriteAdminFiles(FarmDefinition definition)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(definition.AdminCertificatePath)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        StateFolder.WritePrivate(definition.AdminCertificatePath, definition.Credentials.Client(Identities.Admin).CombinedPem);
        return new FarmPlanner(new TemplateRenderer(Assets.Templates)).ClientProfile(
            definition.Stack, definition.Credentials, definition.AdminCertificatePath, definition.CaPath);
    }
}
