using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Operations;
using KojiProvisioner.Tests.Docker;
using KojiProvisioner.Tests.Support;
using Xunit.Abstractions;
using KojiProvisioner.Database;
using KojiProvisioner.Backups;

namespace KojiProvisioner.Tests.Operations;

/// <summary>
/// `up`'s whole plan as `preview` prints it, pinned for the three shapes that matter: a new farm,
/// a restore and a Koji upgrade. Every step that waits on a healthy database or hub is a line of
/// the plan, in the order `up` runs it.
/// </summary>
public class UpPlanTests(ITestOutputHelper output)
{
    private const string StateDir = "/srv/koji-farm/state/demo";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 30, 0, TimeSpan.Zero);

    private static FarmDefinition Definition(FarmPlan plan, StateFolder state, params string[] stateChanges)
    {
        var stack = TestFarm.Stack(builders: plan.Containers.Count(c => c.Role == Roles.Builder)) with { StateDirectory = StateDir };
        return new FarmDefinition(stack, state, TestFarm.Credentials(stack), plan, stateChanges);
    }

    private static ObservedFarm Nothing(FarmPlan plan) =>
        new(plan.Stack, [], [], [], plan.Images.ToDictionary(i => i.Reference, i => SampleFarm.ImageId(i.Reference)));

    private string Text(UpPlan plan)
    {
        var text = plan.ToString();
        output.WriteLine(text);
        return text;
    }

    [Fact]
    public void A_new_farm_writes_its_state_folder_first_then_makes_every_object_and_registers_in_Koji_once_the_hub_is_healthy()
    {
        var plan = SampleFarm.Plan(builders: 2);
        var state = StateFolder.DeferredAt("/nonexistent/koji-farm-state/demo");
        state.Secret("db-password");
        state.Secret("web-secret");
        var definition = Definition(plan, state, "created CA", "created server certificate", "created client kojiadmin");
        var spec = definition.Stack.Spec;
        var facts = new UpFacts { KojiReadAgain = true, NewHubKoji = FarmKoji.Plan(spec, null, [], FarmKoji.NewHub(spec)), Now = Now };

        var up = UpPlanner.Plan(definition, ConvergePlanner.Plan(plan, Nothing(plan)), facts);

        Assert.Equal("""
            state   write     state      /nonexistent/koji-farm-state/demo  created CA, created server certificate, created client kojiadmin, 2 generated secrets
            engine  create    network    koji-farm-demo                     not found
            engine  create    volume     koji-farm-demo-db                  not found
            engine  create    volume     koji-farm-demo-mnt-koji            not found
            engine  keep      image      koji-farm/db:ba9876543210          exists
            engine  keep      image      koji-farm/koji:0123456789ab        exists
            engine  create    container  demo-db                            not found
            engine  create    container  demo-hub                           not found
            engine  apply     koji       registration and content           the hub did not answer when planned: read once it is healthy, then only the difference is written (a new hub gets 4 changes in 8 writes)
            engine  create    container  demo-web                           not found
            engine  create    container  demo-kojira                        not found
            engine  create    container  demo-builder-1                     not found
            engine  create    container  demo-builder-2                     not found

            """, Text(up));
        Assert.False(Directory.Exists(state.Path)); // planning wrote nothing
    }

    [Fact]
    public void A_restore_is_finished_once_the_new_database_is_healthy_and_its_schema_read_then()
    {
        var plan = SampleFarm.Plan(builders: 2);
        var definition = Definition(plan, StateFolder.DeferredAt(StateDir));
        var facts = new UpFacts
        {
            PendingRestore = new PendingRestore("/backups/demo-1", "demo", new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero)),
            SchemaReadLater = true,
            KojiReadAgain = true,
            Now = Now,
        };

        var up = UpPlanner.Plan(definition, ConvergePlanner.Plan(plan, Nothing(plan)), facts);

        Assert.Equal("""
            engine  create    network    koji-farm-demo               not found
            engine  create    volume     koji-farm-demo-db            not found
            engine  create    volume     koji-farm-demo-mnt-koji      not found
            engine  keep      image      koji-farm/db:ba9876543210    exists
            engine  keep      image      koji-farm/koji:0123456789ab  exists
            engine  create    container  demo-db                      not found
            engine  finish    restore    /backups/demo-1              `restore` left restore-pending.json: unpack /mnt/koji, then load the database of stack 'demo' (backup of 2026-12-01 08:00:00Z) in one transaction, before any hub starts
            engine  check     schema     database schema              the restored database's schema is read once it answers; an upgrade then stops kojira and the builders and backs up first, a downgrade stops `up`
            engine  create    container  demo-hub                     not found
            engine  apply     koji       registration and content     the hub did not answer when planned: read once it is healthy, then only the difference is written
            engine  create    container  demo-web                     not found
            engine  create    container  demo-kojira                  not found
            engine  create    container  demo-builder-1               not found
            engine  create    container  demo-builder-2               not found

            """, Text(up));
    }

    [Fact]
    public void A_Koji_upgrade_stops_the_old_daemons_backs_up_then_the_new_hub_upgrades_the_schema()
    {
        var plan = SampleFarm.Plan(builders: 1);
        // The farm runs an older Koji image: every Koji container is recreated on the new one.
        var observed = SampleFarm.Converged(plan);
        observed = observed with
        {
            Containers = observed.Containers.Select(c => c.Role == Roles.Db ? c : c with { ImageId = SampleFarm.ImageId("koji-farm/koji:old") }).ToList(),
        };
        var definition = Definition(plan, StateFolder.DeferredAt(StateDir));
        var spec = definition.Stack.Spec;
        var facts = new UpFacts
        {
            Upgrade = new UpgradeStep(new SchemaVersion(1, 34), "1.35.3",
                [new UpgradeScript("schema-upgrade-1.34-1.35.sql", new SchemaVersion(1, 34), new SchemaVersion(1, 35))]),
            KojiReadAgain = true,
            Koji = FarmKoji.Plan(spec, null, [], FarmKoji.NewHub(spec)),
            Now = Now,
        };

        var up = UpPlanner.Plan(definition, ConvergePlanner.Plan(plan, observed), facts);

        Assert.Equal("""
            engine  keep      network    koji-farm-demo                                                         exists
            engine  keep      volume     koji-farm-demo-db                                                      exists
            engine  keep      volume     koji-farm-demo-mnt-koji                                                exists
            engine  keep      image      koji-farm/db:ba9876543210                                              exists
            engine  keep      image      koji-farm/koji:0123456789ab                                            exists
            engine  keep      container  demo-db                                                                up to date
            engine  stop      daemons    kojira, builders                                                       the schema changes (1.34 -> 1.35): the old release's daemons must not talk to the new hub
            engine  backup    backup     /srv/koji-farm/state/demo-backups/before-koji-1.35.3-20261207T103000Z  before the schema upgrade (up --no-backup skips it)
            engine  recreate  container  demo-hub                                                               image changed: koji-farm/koji:0123456789ab is now 6b6f6a692d66
            engine  upgrade   schema     koji 1.34 -> 1.35                                                      the new hub runs schema-upgrade-1.34-1.35.sql under the schema lock
            engine  apply     koji       registration and content                                               the hub is recreated: read again once it is healthy; as it answered now: create user kojira; grant repo to kojira; add host demo-builder-1 (x86_64; capacity 2; channels default, createrepo)
            engine  recreate  container  demo-web                                                               image changed: koji-farm/koji:0123456789ab is now 6b6f6a692d66
            engine  recreate  container  demo-kojira                                                            image changed: koji-farm/koji:0123456789ab is now 6b6f6a692d66
            engine  recreate  container  demo-builder-1                                                         image changed: koji-farm/koji:0123456789ab is now 6b6f6a692d66

            """, Text(up));
    }
}
