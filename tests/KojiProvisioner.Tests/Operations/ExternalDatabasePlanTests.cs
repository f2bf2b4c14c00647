using System.Text;
using KojiProvisioner.Database;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Operations;
using KojiProvisioner.Tests.Docker;
using KojiProvisioner.Tests.Support;
using Xunit.Abstractions;

namespace KojiProvisioner.Tests.Operations;

/// <summary>
/// A farm on an external database (database.host): no db container or volume, the hub configured
/// for the company's server, and the database's steps (check or claim, an upgrade's stop and backup)
/// in the plan's first phase, where `preview` shows them, since there is no container to wait on.
/// </summary>
public sealed class ExternalDatabasePlanTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 30, 0, TimeSpan.Zero);

    public void Dispose() => _dir.Dispose();

    private FarmDefinition Definition(int builders, string sslMode = "verify-full")
    {
        var ca = sslMode == "require" ? null : _dir.File("db-ca.crt", "-----BEGIN CERTIFICATE-----\nCOMPANY\n-----END CERTIFICATE-----\n");
        var stack = TestFarm.Stack(builders, spec =>
        {
            spec.Database.Host = "pg.corp.example";
            spec.Database.Port = 6432;
            spec.Database.SslMode = sslMode;
            spec.Database.CaFile = ca;
        }) with { StateDirectory = "/srv/koji-farm/state/demo" };
        return new FarmDefinition(stack, StateFolder.DeferredAt(stack.StateDirectory), TestFarm.Credentials(stack), TestFarm.Plan(stack), []);
    }

    private static ObservedFarm Nothing(FarmPlan plan) =>
        new(plan.Stack, [], [], [], plan.Images.ToDictionary(i => i.Reference, i => SampleFarm.ImageId(i.Reference)));

    [Fact]
    public void The_hub_gets_the_company_database_in_hub_conf_and_TLS_through_libpq_and_no_db_container_is_planned()
    {
        var plan = Definition(builders: 1).Plan;
        Assert.DoesNotContain(plan.Containers, c => c.Role == Roles.Db);
        Assert.DoesNotContain(plan.Volumes, v => v.Name.EndsWith("-db", StringComparison.Ordinal));
        Assert.DoesNotContain(plan.Images, i => i.Recipe == "db");
        var hub = plan.Containers.Single(c => c.Role == Roles.Hub);
        Assert.Empty(hub.DependsOn);
        var conf = Ini.Section(Encoding.UTF8.GetString(hub.Files.Single(f => f.Path == "/etc/koji-hub/hub.conf").Content), "hub");
        Assert.Equal("pg.corp.example", conf["DBHost"]);
        Assert.Equal("6432", conf["DBPort"]);
        Assert.Equal("dbsecret", conf["DBPass"]);
        Assert.Equal("verify-full", hub.Environment["PGSSLMODE"]);
        Assert.Equal(FarmPlanner.ExternalDatabaseCa, hub.Environment["PGSSLROOTCERT"]);
        Assert.Contains("COMPANY", Encoding.UTF8.GetString(hub.Files.Single(f => f.Path == FarmPlanner.ExternalDatabaseCa).Content));
        // Only the hub speaks to the database; web and kojira go through the hub.
        Assert.All(plan.Containers.Where(c => c.Role != Roles.Hub), c => Assert.False(c.Environment.ContainsKey("PGSSLMODE")));
    }

    [Fact]
    public void Require_without_a_CA_sets_no_root_certificate()
    {
        var hub = Definition(builders: 0, sslMode: "require").Plan.Containers.Single(c => c.Role == Roles.Hub);
        Assert.Equal("require", hub.Environment["PGSSLMODE"]);
        Assert.False(hub.Environment.ContainsKey("PGSSLROOTCERT"));
    }

    [Fact]
    public void A_new_farm_on_an_empty_external_database_claims_it_before_the_engine_phase()
    {
        var definition = Definition(builders: 1);
        var plan = definition.Plan;
        var spec = definition.Stack.Spec;
        var facts = new UpFacts
        {
            External = new ExternalDatabaseState(null, 0, null, null),
            KojiReadAgain = true,
            NewHubKoji = FarmKoji.Plan(spec, null, [], FarmKoji.NewHub(spec)),
            Now = Now,
        };

        var up = UpPlanner.Plan(definition, ConvergePlanner.Plan(plan, Nothing(plan)), facts);
        var text = up.ToString();
        output.WriteLine(text);

        Assert.Equal("""
            db      claim     database   database koji as koji on pg.corp.example:6432  answered (sslMode verify-full with database.caFile), empty: recorded as this farm's (koji_farm_owner); the hub loads Koji's schema into it when it starts; `down --purge` never drops it
            engine  create    network    koji-farm-demo                                 not found
            engine  create    volume     koji-farm-demo-mnt-koji                        not found
            engine  keep      image      koji-farm/koji:abc                             exists
            engine  create    container  demo-hub                                       not found
            engine  apply     koji       registration and content                       the hub did not answer when planned: read once it is healthy, then only the difference is written (a new hub gets 3 changes in 5 writes)
            engine  create    container  demo-web                                       not found
            engine  create    container  demo-kojira                                    not found
            engine  create    container  demo-builder-1                                 not found

            """, text);
    }

    private static readonly ExternalDatabaseTarget Target = new("pg.corp.example", 5432, "koji", "koji", "pw", "verify-full", null);

    [Fact]
    public void An_empty_database_or_one_this_stack_claimed_is_used_whatever_state_folder_claimed_it()
    {
        ExternalDatabase.Check(new ExternalDatabaseState(null, 0, null, null), Target, "demo");
        ExternalDatabase.Check(new ExternalDatabaseState(new SchemaVersion(1, 35), 0, "aaaa", "demo"), Target, "demo");
        // Claimed, the hub's first start then failed before the schema: still this stack's.
        ExternalDatabase.Check(new ExternalDatabaseState(null, 0, "bbbb", "demo"), Target, "demo");
    }

    [Theory]
    [InlineData(null, 3, null, null, "holds 3 table(s) and no Koji schema")]
    [InlineData("1.35", 0, null, null, "holds a Koji 1.35 schema that no koji-farm farm made")]
    [InlineData("1.35", 0, "0123456789abcdef0123", "other", "holds the Koji of another farm (stack 'other', CA sha256:0123456789abcdef)")]
    [InlineData(null, 0, "0123456789abcdef0123", "other", "holds the Koji of another farm (stack 'other'")]
    public void A_database_that_is_not_this_stacks_is_refused_in_one_line_before_any_change(string? schema, int tables, string? owner, string? ownerStack, string expected)
    {
        var found = new ExternalDatabaseState(schema is null ? null : SchemaVersion.Parse(schema), tables, owner, ownerStack);
        var e = Assert.Throws<InputException>(() => ExternalDatabase.Check(found, Target, "demo"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("nothing was changed", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void A_Koji_upgrade_on_an_external_database_stops_the_daemons_and_backs_up_before_the_engine_phase()
    {
        var definition = Definition(builders: 1);
        var plan = definition.Plan;
        var observed = SampleFarm.Converged(plan);
        observed = observed with { Containers = observed.Containers.Select(c => c with { ImageId = SampleFarm.ImageId("koji-farm/koji:old") }).ToList() };
        var facts = new UpFacts
        {
            External = new ExternalDatabaseState(new SchemaVersion(1, 34), 0, "ab12", "demo"),
            Upgrade = new UpgradeStep(new SchemaVersion(1, 34), "1.35.3",
                [new UpgradeScript("schema-upgrade-1.34-1.35.sql", new SchemaVersion(1, 34), new SchemaVersion(1, 35))]),
            KojiReadAgain = true,
            Now = Now,
        };

        var lines = UpPlanner.Plan(definition, ConvergePlanner.Plan(plan, observed), facts).Lines;
        output.WriteLine(string.Join("\n", lines));

        Assert.Equal(
            [
                ("db", "keep", "database"), ("db", "stop", "daemons"), ("db", "backup", "backup"),
            ],
            lines.Take(3).Select(l => (l.Phase, l.Action, l.Kind)));
        Assert.Contains("this farm's, Koji schema 1.34", lines[0].Cause);
        Assert.All(lines.Take(3), l => Assert.Null(l.After));
        var hub = lines.ToList().FindIndex(l => l.Kind == "container" && l.Name == "demo-hub");
        Assert.Equal(("upgrade", "schema", "demo-hub"), (lines[hub + 1].Action, lines[hub + 1].Kind, lines[hub + 1].After));
    }
}
