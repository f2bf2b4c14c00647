using System.Text.Json;
using KojiProvisioner.Cli;
using KojiProvisioner.Cli.Output;
using KojiProvisioner.Content;
using KojiProvisioner.Operations;
using KojiProvisioner.Tests.Support;
using Spectre.Console;

namespace KojiProvisioner.Tests.Cli;

/// <summary>What `preview` prints: the plan, what the engine would do, and the Koji writes.</summary>
public sealed class PlanViewTests
{
    private static (CliIO Io, StringWriter Table, StringWriter Json) Io()
    {
        var table = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(table),
        });
        console.Profile.Width = 200;
        var json = new StringWriter();
        return (new CliIO(console, json, new StringWriter()), table, json);
    }

    private static KojiPreview NewFarmKoji(KojiProvisioner.Config.Stack stack, KojiContent? content = null) =>
        new(FarmKoji.Plan(stack.Spec, content, [], FarmKoji.NewHub(stack.Spec)), HubAnswered: false);

    [Fact]
    public void Json_has_every_container_and_the_registration_writes_of_a_new_farm_and_no_engine_changes_when_none_answered()
    {
        var stack = TestFarm.Stack(builders: 2);
        var (io, _, json) = Io();
        var content = new KojiContent { Tags = [new TagSpec { Name = "f40" }] };
        PlanView.Write(io, TestFarm.Plan(stack), null, NewFarmKoji(stack, content), json: true);

        var root = JsonDocument.Parse(json.ToString()).RootElement;
        Assert.Equal("demo-hub", root.GetProperty("containers")[1].GetProperty("name").GetString());
        Assert.Equal("127.0.0.1:8443->443", root.GetProperty("containers")[1].GetProperty("ports")[0].GetString());
        Assert.False(root.TryGetProperty("changes", out _), "changes without an engine");
        var koji = root.GetProperty("koji");
        Assert.False(koji.GetProperty("hubAnswered").GetBoolean());
        var registration = koji.GetProperty("registration").EnumerateArray().ToList();
        var builder = registration.Single(c => c.GetProperty("object").GetString() == "demo-builder-2");
        Assert.Equal("host", builder.GetProperty("kind").GetString());
        Assert.Equal("create", builder.GetProperty("action").GetString());
        Assert.StartsWith("addHost('demo-builder-2'", builder.GetProperty("calls")[0].GetString());
        Assert.Contains(registration, c => c.GetProperty("summary").GetString() == "grant repo to kojira");
        Assert.Equal(1, koji.GetProperty("content").GetProperty("changes").GetInt32());
    }

    [Fact]
    public void Table_lists_engine_changes_then_the_Koji_writes_and_counts_the_content_files()
    {
        var stack = TestFarm.Stack(builders: 1);
        var (io, table, _) = Io();
        var changes = new List<PlanChange>
        {
            new("create", "container", "demo-builder-1", "not found"),
            new("keep", "container", "demo-hub", "up to date"),
        };
        var content = new KojiContent { Tags = [new TagSpec { Name = "f40" }, new TagSpec { Name = "f41" }] };
        PlanView.Write(io, TestFarm.Plan(stack), changes, NewFarmKoji(stack, content), json: false);

        var text = table.ToString();
        Assert.Contains("create   container demo-builder-1  not found", text);
        Assert.DoesNotContain("keep     container demo-hub", text);
        Assert.Contains("1 to create, 1 to keep", text);
        Assert.Contains("koji (no hub answered: the writes of a new farm's hub):", text);
        Assert.Contains("  add host demo-builder-1 (x86_64; capacity 2; channels default, createrepo)", text);
        Assert.Contains("  content: 2 changes in 2 writes", text);
    }

    [Fact]
    public void Table_says_so_when_no_engine_answered_and_Koji_matches()
    {
        var stack = TestFarm.Stack(builders: 0, edit: s => s.Kojira.Enabled = false);
        var (io, table, _) = Io();
        var empty = new KojiPreview(new FarmKojiPlan(new ContentPlan { Changes = [] }), HubAnswered: true);
        PlanView.Write(io, TestFarm.Plan(stack), null, empty, json: false);

        var text = table.ToString();
        Assert.Contains("no Docker engine answered: showing the plan only", text);
        Assert.Contains("koji (the hub answered):", text);
        Assert.Contains("no changes: Koji matches the stack", text);
    }
}
