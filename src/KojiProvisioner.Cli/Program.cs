using KojiProvisioner.Cli;
using KojiProvisioner.Cli.Output;

KojiProvisioner.Timings.Mark("main");
var console = Spectre.Console.AnsiConsole.Console;
LogOutput.Unwrap(console, outputIsTerminal: !Console.IsOutputRedirected);
using var interruption = new Interruption();
var code = interruption.ExitCode(await KojiFarmApp.RunAsync(args, console, Console.Out, Console.Error, interruption.Token));
KojiProvisioner.Timings.Mark("done");
return code;
