using KojiProvisioner.Config;
using KojiProvisioner.Tests.Support;

namespace KojiProvisioner.Tests.Config;

/// <summary>database.host and its settings: the password only from a file, libpq's sslmode values, a CA where verification needs one.</summary>
public sealed class ExternalDatabaseStackTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _koji;

    public ExternalDatabaseStackTests()
    {
        _koji = _dir.File("koji-1.35.3.tar.gz", "only its existence is checked");
        _dir.File("db-password", "s3cret\n");
        _dir.File("db-ca.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    }

    public void Dispose() => _dir.Dispose();

    private Stack Load(string database) =>
        StackLoader.Load(_dir.File("stack.yaml", $"name: acme\nkoji:\n  path: {_koji}\ndatabase:\n{database}"), environment: new Dictionary<string, string>());

    private InputException Refused(string database) => Assert.Throws<InputException>(() => Load(database));

    [Fact]
    public void An_external_database_reads_its_password_file_and_defaults_to_verify_full_on_port_5432()
    {
        var stack = Load("  host: db.example.com\n  passwordFile: db-password\n  caFile: db-ca.crt\n");
        var db = stack.Spec.Database;
        Assert.True(db.External);
        Assert.Equal("verify-full", db.SslMode);
        Assert.Equal(5432, db.ExternalPort());
        Assert.Equal(Path.Combine(_dir.Path, "db-password"), db.PasswordFile);
        Assert.Equal(Path.Combine(_dir.Path, "db-ca.crt"), db.CaFile);
        Assert.Equal("s3cret", StackValidator.ExternalPassword(db.PasswordFile!));
    }

    [Fact]
    public void The_password_itself_in_the_stack_is_refused_and_points_at_passwordFile()
    {
        var e = Refused("  host: db.example.com\n  password: s3cret\n");
        Assert.Contains("database.password", e.Message);
        Assert.Contains("database.passwordFile", e.Message);
        Assert.DoesNotContain("s3cret", e.Message);
    }

    [Fact]
    public void The_password_in_the_environment_layer_is_refused_too()
    {
        var file = _dir.File("stack.yaml", $"name: acme\nkoji:\n  path: {_koji}\n");
        var e = Assert.Throws<InputException>(() => StackLoader.Load(file, environment: new Dictionary<string, string> { ["KOJIFARM_DATABASE__PASSWORD"] = "s3cret" }));
        Assert.Contains("database.passwordFile", e.Message);
    }

    [Theory]
    [InlineData("  host: db.example.com\n  caFile: db-ca.crt\n", "database.passwordFile: required with database.host")]
    [InlineData("  host: db.example.com\n  passwordFile: missing-file\n  caFile: db-ca.crt\n", "missing-file does not exist")]
    [InlineData("  host: db.example.com\n  passwordFile: empty\n  caFile: db-ca.crt\n", "empty is empty")]
    [InlineData("  host: db.example.com\n  passwordFile: db-password\n  sslMode: verify\n  caFile: db-ca.crt\n",
        "database.sslMode: 'verify' is not one of: disable, allow, prefer, require, verify-ca, verify-full")]
    [InlineData("  host: db.example.com\n  passwordFile: db-password\n", "database.caFile: required with sslMode verify-full")]
    [InlineData("  host: db.example.com\n  passwordFile: db-password\n  sslMode: verify-ca\n", "database.caFile: required with sslMode verify-ca")]
    [InlineData("  host: db.example.com\n  passwordFile: db-password\n  caFile: db-password\n", "holds no PEM certificate")]
    [InlineData("  host: db example\n  passwordFile: db-password\n  sslMode: require\n", "database.host:")]
    [InlineData("  passwordFile: db-password\n", "database.passwordFile: only with database.host")]
    [InlineData("  sslMode: require\n", "database.sslMode: only with database.host")]
    public void Bad_external_database_settings_are_refused_naming_the_key(string database, string expected)
    {
        _dir.File("empty", "\n");
        Assert.Contains(expected, Refused(database).Message);
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("allow")]
    [InlineData("prefer")]
    [InlineData("require")]
    public void SslModes_that_do_not_verify_the_server_need_no_CA(string mode)
    {
        var stack = Load($"  host: 10.0.0.5\n  port: 6432\n  passwordFile: db-password\n  sslMode: {mode}\n");
        Assert.Equal(mode, stack.Spec.Database.SslMode);
        Assert.Equal(6432, stack.Spec.Database.ExternalPort());
        Assert.Null(stack.Spec.Database.CaFile);
    }
}
