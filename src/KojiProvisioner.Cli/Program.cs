using KojiProvisioner.Cli;
using KojiProvisioner.Cli.Output;

var console = Spectre.Console.AnsiConsole.Console;
LogOutput.Unwrap(console, outputIsTerminal: !Console.IsOutputRedirected);
return await KojiFarmApp.RunAsync(args, console, Console.Out, Console.Error);
