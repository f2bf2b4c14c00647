using KojiProvisioner.Cli.Output;
using Spectre.Console;

namespace KojiProvisioner.Tests.Cli;

public sealed class LogOutputTests
{
    [Theory]
    [InlineData("Step 1/12 : ARG BASE_IMAGE=koji-farm/debian-base:bookworm", "step 1/12: ARG BASE_IMAGE=koji-farm/debian-base:bookworm")]
    [InlineData("Step 5/12 : RUN set -eux;     apt-get update;     apt-get install -y --no-install-recommends apache2 libapache2-mod-wsgi-py3", "step 5/12: RUN")]
    [InlineData("Step 7/12 : COPY common/koji-farm /usr/local/bin/", "step 7/12: COPY common/koji-farm /usr/local/bin/")]
    [InlineData("Step 9/12 : ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8", "step 9/12: ENV")]
    public void An_image_build_step_is_one_short_line(string line, string expected) =>
        Assert.Equal(expected, LogOutput.BuildStep(line));

    [Theory]
    [InlineData(" ---> Running in 1f2e3d4c")]
    [InlineData("Setting up apache2 (2.4.62-1~deb12u2) ...")]
    [InlineData("Successfully built 0a1b2c3d")]
    public void Lines_that_are_not_steps_are_not_shown(string line) => Assert.Null(LogOutput.BuildStep(line));

    [Fact]
    public void Output_that_is_not_a_terminal_is_never_wrapped()
    {
        var text = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Ansi = Spectre.Console.AnsiSupport.No,
            Out = new Spectre.Console.AnsiConsoleOutput(text),
        });
        console.Profile.Width = 80;
        LogOutput.Unwrap(console, outputIsTerminal: false);
        var line = "[  12.3s] waithealthy  ci-4711-builder-1: waiting up to 270 s for it to become healthy " + new string('x', 200);

        console.MarkupLine(Spectre.Console.Markup.Escape(line));

        Assert.Equal(line + Environment.NewLine, text.ToString());
    }
}
