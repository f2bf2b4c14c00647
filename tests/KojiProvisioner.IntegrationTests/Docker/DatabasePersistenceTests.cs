using KojiProvisioner.Config;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;
using KojiProvisioner.Templates;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.Docker;

/// <summary>The farm's real PostgreSQL container keeps its data in its volume across down and up.</summary>
public sealed class DatabasePersistenceTests(ITestOutputHelper output) : EngineTest(output)
{
    [SkippableFact]
    public async Task Row_written_to_postgres_survives_down_and_up()
    {
        await StartAsync(TestEngine.Options with { ImagesRoot = Assets.Images });
        var name = NewStack();
        using var dir = new TempFolder();
        var plan = DatabaseOnlyPlan(name, dir.Path);
        var db = plan.Containers.Single();

        await Farm.UpAsync(plan, Events(), ct: None);
        var write = await Psql(db.Name, "create table kept (what text); insert into kept values ('survives down and up');");
        Assert.True(write.ExitCode == 0, write.ToString());

        var down = await Farm.DownAsync(name, purge: false, Events(), None);
        Assert.Contains($"koji-farm-{name}-db", down.KeptVolumes);
        Assert.Empty(await Engine.ListContainersAsync(name, None));

        await Farm.UpAsync(plan, Events(), ct: None);
        var read = await Psql(db.Name, "select what from kept;");
        Assert.True(read.ExitCode == 0, read.ToString());
        Assert.Contains("survives down and up", read.Stdout);
    }

    [SkippableFact]
    public async Task A_new_password_file_is_the_one_the_existing_database_accepts_after_restart()
    {
        // What `up --adopt` relies on: a new state folder's password reaches a database made with another.
        await StartAsync(TestEngine.Options with { ImagesRoot = Assets.Images });
        var name = NewStack();
        using var dir = new TempFolder();
        var plan = DatabaseOnlyPlan(name, dir.Path);
        var db = plan.Containers.Single();
        await Farm.UpAsync(plan, Events(), ct: None);
        var write = await Psql(db.Name, "create table kept (what text); insert into kept values ('kept across the new password');");
        Assert.True(write.ExitCode == 0, write.ToString());

        var rekeyed = DatabaseOnlyPlan(name, dir.Path, "another-password-from-another-state-folder");
        await Farm.UpAsync(rekeyed, Events(), ct: None);
        var read = await Psql(db.Name, "select what from kept;");
        Assert.True(read.ExitCode == 0, read.ToString());
        Assert.Contains("kept across the new password", read.Stdout);
        var old = await Engine.ExecAsync(db.Name,
            ["sh", "-c", "PGPASSWORD=db-secret-for-test psql -h 127.0.0.1 -U koji -d koji -tA -c 'select 1'"], None);
        Assert.NotEqual(0, old.ExitCode);
    }

    private Task<ExecResult> Psql(string container, string sql) =>
        Engine.ExecAsync(container,
            ["sh", "-c", $"PGPASSWORD=\"$(cat /etc/koji-farm/secrets/db-password)\" psql -h 127.0.0.1 -U koji -d koji -tA -v ON_ERROR_STOP=1 -c \"{sql}\""],
            None);

    /// <summary>The db container exactly as a farm plans it, alone (no Koji needed).</summary>
    private static FarmPlan DatabaseOnlyPlan(string name, string dir, string password = "db-secret-for-test")
    {
        var fakeKoji = Path.Combine(dir, "koji.tar.gz");
        File.WriteAllText(fakeKoji, "only hashed, never built here");
        var spec = new StackSpec { Name = name, Koji = new KojiSourceSpec { From = "source", Path = fakeKoji, BaseImage = TestEngine.BaseImage } };
        var stack = new Stack(spec, Path.Combine(dir, "stack.yaml"), Path.Combine(dir, "state"), fakeKoji, null);
        var images = ImageRecipes.Resolve(stack, Assets.Images);
        var creds = new FarmCredentials("ca", new CertKey("c", "k", "CN=hub"),
            new Dictionary<string, CertKey> { [Identities.Web] = new("c", "k", "CN=kojiweb"), [Identities.Kojira] = new("c", "k", "CN=kojira"), [Identities.Admin] = new("c", "k", "CN=kojiadmin") },
            password, "web");
        spec.Builders.Count = 0;
        var full = new FarmPlanner(new TemplateRenderer(Assets.Templates)).Plan(stack, creds, images, []);
        var db = full.Containers.Where(c => c.Role == Roles.Db).ToList();
        return full with { Containers = db, Images = [images.Db] };
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("koji-farm-db-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
