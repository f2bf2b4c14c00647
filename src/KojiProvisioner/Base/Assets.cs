namespace KojiProvisioner;

/// <summary>Where the templates and image recipes are: beside the binary (copied at build time), or
/// KOJI_FARM_ASSETS (not KOJIFARM_*: those are stack settings).</summary>
public static class Assets
{
    public static string Root
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("KOJI_FARM_ASSETS");
            if (!string.IsNullOrEmpty(fromEnv))
                return fromEnv;
            return AppContext.BaseDirectory;
        }
    }

    public static string Templates => Path.Combine(Root, "templates");
    public static string Images => Path.Combine(Root, "infra", "images");
}
