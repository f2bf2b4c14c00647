using KojiProvisioner.Cli;

return await KojiFarmApp.RunAsync(args, Spectre.Console.AnsiConsole.Console, Console.Out, Console.Error);
