using KojiProvisioner.Config;
using KojiProvisioner.Pki;
using KojiProvisioner.Templates;

namespace KojiProvisioner.Farm;

/// <summary>A stack with its credentials and its plan: everything `up` needs before touching an engine.</summary>
public sealed record FarmDefinition(
    Stack Stack,
    StateFolder State,
    FarmCredentials Credentials,
    FarmPlan Plan,
    IReadOnlyList<string> StateChanges)
{
    public FarmNames Names => new(Stack.Spec);

    /// <summary>The company's PostgreSQL the stack's database.host names; null: the farm's own db container.</summary>
    public ExternalDatabaseTarget? ExternalDatabase => Stack.Spec.Database is { External: true } db
        ? new ExternalDatabaseTarget(db.Host!, db.ExternalPort(), db.Name, db.User, Credentials.DbPassword, db.SslMode ?? "verify-full", db.CaFile)
        : null;

    /// <summary>kojid <c>allowed_scms</c> of every builder: the stack's, then the content file's Flocks'.</summary>
    public IReadOnlyList<string> AllowedScms { get; init; } = [];

    /// <summary>The Koji and mock inputs the images are made from: the stack's settings, else the farm's record (<see cref="FarmInputs"/>).</summary>
    public ResolvedInputs Inputs { get; init; } = new(null, null, null);

    public static IReadOnlyList<string> MergeScms(StackSpec spec, IReadOnlyList<string>? contentScms) =>
        spec.Builders.AllowedScms.Concat(contentScms ?? []).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Loads or makes the stack's credentials in <paramref name="state"/> and plans the farm.
    /// A read-only state folder is read in place and never written (preview, status); a deferred
    /// one keeps what it would write in its <see cref="StateFolder.Pending"/> (`up` writes it as a plan step).
    /// </summary>
    public static FarmDefinition Load(Stack stack, StateFolder state, IReadOnlyList<string>? allowedScms = null, TimeProvider? clock = null, string? kojiImage = null)
    {
        state.Create();
        var spec = stack.Spec;
        var names = new FarmNames(spec);
        var clients = new List<ClientIdentity>
        {
            new(Identities.Admin, spec.Admin.Name, "admin"),
            new(Identities.Web, "kojiweb", "kojiweb"),
            new(Identities.Kojira, "kojira", "kojira"),
        };
        for (var i = 1; i <= spec.Builders.Count; i++)
            clients.Add(new ClientIdentity(names.Builder(i), names.Builder(i), "builder"));
        foreach (var remote in spec.Builders.Remote)
            clients.Add(new ClientIdentity(remote.Name, remote.Name, "builder"));

        var pki = FarmPki.LoadOrCreate(state.Path, new PkiRequest(spec.Organization, names.ServerNames, clients,
            Keys.Parse(spec.Pki.KeyAlgorithm) ?? throw new InvalidOperationException($"pki.keyAlgorithm '{spec.Pki.KeyAlgorithm}' was not validated")),
            clock, state.ReadOnly, state.Pending);
        var credentials = new FarmCredentials(
            pki.CaCertificatePem,
            ToCertKey(pki.Server),
            pki.Clients.ToDictionary(c => c.Key, c => ToCertKey(c.Value), StringComparer.Ordinal),
            // An external database's password is the company's, read from its file; never kept in the state folder.
            spec.Database.External ? StackValidator.ExternalPassword(spec.Database.PasswordFile!) : state.Secret("db-password"),
            state.Secret("web-secret", 32)) { CrlPem = pki.CrlPem };

        var scms = MergeScms(spec, allowedScms);
        var inputs = FarmInputs.Resolve(stack, FarmInputs.Read(state.Path));
        var plan = new FarmPlanner(new TemplateRenderer(Assets.Templates))
            .Plan(stack, credentials, ImageRecipes.Resolve(stack, Assets.Images, kojiImage, inputs), scms);
        return new FarmDefinition(stack, state, credentials, plan, pki.Changes) { AllowedScms = scms, Inputs = inputs };
    }

    private static CertKey ToCertKey(IssuedCertificate c) => new(c.CertificatePem, c.PrivateKeyPem, c.SubjectDn);

    /// <summary>Where the admin's certificate and the CA are kept, for client profiles.</summary>
    public string AdminCertificatePath => Path.Combine(State.Path, "client", Identities.Admin + ".pem");
    public string CaPath => Path.Combine(State.Path, "pki", "ca.crt");
}

/// <summary>An external PostgreSQL as koji-farm and the hub reach it (the password read from database.passwordFile).</summary>
public sealed record ExternalDatabaseTarget(string Host, int Port, string Name, string User, string Password, string SslMode, string? CaFile)
{
    /// <summary>"database koji as koji on db.example.com:5432", for messages and the plan.</summary>
    public string Where => $"database {Name} as {User} on {Host}:{Port}";

    /// <summary>Never the password: a record's generated ToString would print it.</summary>
    public override string ToString() => Where;
}
