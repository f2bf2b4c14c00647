using System.CommandLine;
using System.Globalization;
using KojiProvisioner.Operations;
using Spectre.Console;

namespace KojiProvisioner.Cli.Commands;

/// <summary>
/// `koji-farm user add|ls|revoke|renew`: certificates and Koji users for people and robots, from
/// the stack's company CA; revocation through a CRL the hub and web check.
/// </summary>
internal static class UserCommand
{
    public static Command Create(CliIO io)
    {
        var command = new Command("user", "People and robots: issue a certificate and a Koji user, list them, revoke or renew one");
        command.Subcommands.Add(Add(io));
        command.Subcommands.Add(Ls(io));
        command.Subcommands.Add(Revoke(io));
        command.Subcommands.Add(Renew(io));
        return command;
    }

    private static Argument<string> Name() => new("NAME") { Description = "The Koji user name, which is the certificate's CN" };

    private static Option<string> Out() => new("--out") { Description = "The folder to write (default ./NAME-koji): certificate and key, PKCS#12, CA, koji profile" };

    private static Option<int?> Days() => new("--days") { Description = $"How long the certificate is valid (default {Users.DefaultDays} days; never past the CA)" };

    private static Command Add(CliIO io)
    {
        var options = new StackOptions(output: false);
        var name = Name();
        var permission = new Option<string[]>("--permission") { Description = "A Koji permission to grant (repeatable), e.g. build", Arity = ArgumentArity.ZeroOrMore };
        var service = new Option<bool>("--service") { Description = "A robot (CI) rather than a person: OU=service in its certificate" };
        var days = Days();
        var output = Out();
        var command = new Command("add", "Issue a client certificate from the stack's CA, create the Koji user with its permissions, write its folder")
            { name, options.Stack, options.Set, permission, service, days, output };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var stack = options.Load(parse);
            var issued = await new Users(stack).AddAsync(parse.GetValue(name)!, parse.GetValue(permission) ?? [], parse.GetValue(service),
                parse.GetValue(days) ?? Users.DefaultDays, parse.GetValue(output), ct, Waiting(io));
            Issued(io, stack.Name, issued, "added");
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Command Renew(CliIO io)
    {
        var options = new StackOptions(output: false);
        var name = Name();
        var days = Days();
        var output = Out();
        var command = new Command("renew", "Issue a new certificate for a user `user add` made; the old one is revoked") { name, options.Stack, options.Set, days, output };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var stack = options.Load(parse);
            var issued = await new Users(stack).RenewAsync(parse.GetValue(name)!, parse.GetValue(days), parse.GetValue(output), ct, Waiting(io));
            Issued(io, stack.Name, issued, "renewed");
            foreach (var line in issued.Delivered)
                io.Console.WriteLine(line);
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Command Revoke(CliIO io)
    {
        var options = new StackOptions(output: false);
        var name = Name();
        var command = new Command("revoke", "Revoke a user's certificates (the hub and web refuse them within seconds) and block the Koji user") { name, options.Stack, options.Set };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var stack = options.Load(parse);
            var revoked = await new Users(stack).RevokeAsync(parse.GetValue(name)!, ct, Waiting(io));
            io.Console.MarkupLine($"revoked [bold]{Markup.Escape(revoked.Name)}[/]: certificate {Markup.Escape(string.Join(", ", revoked.Serials.DefaultIfEmpty("(none left)")))}; Koji user blocked");
            foreach (var line in revoked.Delivered)
                io.Console.WriteLine(line);
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Command Ls(CliIO io)
    {
        var options = new StackOptions();
        var command = new Command("ls", "Every identity of the farm: kind, certificate serial and expiry, revoked, Koji status and permissions") { options.Stack, options.Set, options.Output };
        command.SetAction((parse, ct) => CommonOptions.Guard(io, async () =>
        {
            var stack = options.Load(parse);
            var (rows, problem) = await new Users(stack).ListAsync(ct);
            if (options.Json(parse))
            {
                io.Out.WriteLine(JsonOutput.Serialize(new
                {
                    stack = stack.Name,
                    hubProblem = problem,
                    users = rows.Select(r => new
                    {
                        name = r.Name, kind = r.Kind, serial = r.Serial, expires = r.NotAfter?.UtcDateTime, revoked = r.Revoked,
                        koji = r.KojiStatus, permissions = r.Permissions,
                    }),
                }));
                return ExitCode.Ok;
            }
            var table = new Table().AddColumns("name", "kind", "serial", "expires", "revoked", "koji", "permissions");
            foreach (var r in rows)
                table.AddRow(Markup.Escape(r.Name), Markup.Escape(r.Kind), Markup.Escape(r.Serial ?? "-"),
                    r.NotAfter?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-",
                    r.Revoked == true ? "[red]yes[/]" : "no", Markup.Escape(r.KojiStatus ?? "?"),
                    Markup.Escape(r.Permissions is null ? "?" : string.Join(", ", r.Permissions)));
            io.Console.Write(table);
            if (problem is not null)
                io.Console.MarkupLine($"[yellow]koji: {Markup.Escape(problem)}[/]");
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Action<string> Waiting(CliIO io) => m => io.Error.WriteLine($"koji-farm: {m}");

    private static void Issued(CliIO io, string stack, UserIssued issued, string verb)
    {
        io.Console.MarkupLine($"{verb} [bold]{Markup.Escape(issued.Name)}[/] ({Markup.Escape(issued.Kind)}): certificate {Markup.Escape(issued.Serial)}, " +
            $"expires {issued.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}" +
            (issued.Permissions.Count > 0 ? $", permissions {Markup.Escape(string.Join(", ", issued.Permissions))}" : ""));
        io.Console.MarkupLine($"wrote {Markup.Escape(issued.Folder)}: try [bold]koji -c {Markup.Escape(Path.Combine(issued.Folder, "koji.conf"))} -p {Markup.Escape(stack)} moshimoshi[/]");
        // The one place the password appears: it is kept nowhere.
        io.Out.WriteLine($"PKCS#12 password for {Path.Combine(issued.Folder, issued.Name + ".p12")} (shown once, not stored): {issued.Pkcs12Password}");
    }
}
