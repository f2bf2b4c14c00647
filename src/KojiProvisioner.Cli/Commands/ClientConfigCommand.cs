using Spectre.Console;
using System.CommandLine;
using KojiProvisioner.Operations;

namespace KojiProvisioner.Cli.Commands;

/// <summary>
/// `koji-farm client-config`: a koji client profile named after the stack, logging in with the
/// admin certificate, so `koji -p STACK moshimoshi` works. `--install` puts it in ~/.koji/config.d.
/// </summary>
internal static class ClientConfigCommand
{
    public static Command Create(CliIO io)
    {
        var options = new StackOptions(output: false);
        var install = new Option<bool>("--install") { Description = "Write the profile to ~/.koji/config.d/STACK.conf instead of printing it" };
        var command = new Command("client-config", "Print (or install) a koji client profile for the stack's admin") { options.Stack, options.Set, install };
        command.SetAction((parse, _) => CommonOptions.Guard(io, () =>
        {
            var loaded = options.Load(parse);
            var clientConfig = new ClientConfig(loaded);
            var profile = clientConfig.Profile(m => io.Error.WriteLine($"koji-farm: {m}"));
            if (!parse.GetValue(install))
            {
                io.Out.Write(profile);
                return ExitCode.Ok;
            }
            var target = clientConfig.Install(profile);
            io.Console.MarkupLine($"wrote {Spectre.Console.Markup.Escape(target)}: try [bold]koji -p {loaded.Name} moshimoshi[/]");
            return ExitCode.Ok;
        }));
        return command;
    }
}
