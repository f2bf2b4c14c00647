using KojiProvisioner.Cli;
using KojiProvisioner.Cli.Output;

KojiProvisioner.Timings.Mark("main");
var console = Spectre.Console.AnsiConsole.Console;
LogOutput.Unwrap(console, outputIsTerminal: !Console.IsOutputRedirected);
var code = await KojiFarmApp.RunAsync(args, console, Console.Out, Console.Error);
KojiProvisioner.Timings.Mark("done");
return code;
