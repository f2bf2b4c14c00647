using KojiProvisioner.Config;

namespace KojiProvisioner.Farm;

/// <summary>The names templates see. Keys are snake_case, as Scriban templates read best.</summary>
internal static class TemplateModel
{
    public static IReadOnlyDictionary<string, object?> Base(Stack stack, FarmCredentials creds, FarmNames names)
    {
        var spec = stack.Spec;
        return new Dictionary<string, object?>
        {
            ["stack"] = new Dictionary<string, object?> { ["name"] = spec.Name, ["organization"] = spec.Organization },
            ["https_port"] = PublishedPort.Https,
            ["db"] = new Dictionary<string, object?>
            {
                ["host"] = spec.Database.External ? spec.Database.Host : Roles.Db,
                ["port"] = spec.Database.External ? spec.Database.ExternalPort() : PublishedPort.Postgres,
                ["name"] = spec.Database.Name,
                ["user"] = spec.Database.User,
                ["password"] = creds.DbPassword,
            },
            ["hub"] = new Dictionary<string, object?>
            {
                ["public_host"] = spec.Hub.PublicHost,
                ["internal_url"] = names.InternalHubUrl,
                ["public_url"] = names.PublicHubUrl,
                ["public_files_url"] = names.PublicFilesUrl,
                ["run_interval"] = spec.Hub.RunInterval,
                ["login_creates_user"] = spec.Hub.LoginCreatesUser,
                ["proxy_dns"] = creds.Client(Identities.Web).SubjectDn,
                ["settings"] = (IReadOnlyDictionary<string, string>)spec.Hub.Settings,
                // hub.conf [policy]: continuation lines are indented; comments and blank lines left out
                ["policy"] = spec.Hub.Policy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new Dictionary<string, object?>
                {
                    ["name"] = p.Key,
                    ["rules"] = p.Value.Select(r => r.Split('#', 2)[0].Trim()).Where(r => r.Length > 0).ToList(),
                }).ToList(),
            },
            ["web"] = new Dictionary<string, object?>
            {
                ["site_name"] = spec.Web.SiteName,
                ["public_url"] = names.PublicWebUrl,
                ["secret"] = creds.WebSecret,
            },
            ["kojira"] = new Dictionary<string, object?> { ["sleep_time"] = spec.Kojira.SleepTime },
            ["builders"] = new Dictionary<string, object?> { ["sleep_time"] = spec.Builders.SleepTime },
        };
    }

    public static IReadOnlyDictionary<string, object?> WithBuilder(
        IReadOnlyDictionary<string, object?> model, string name, string hubUrl, string filesUrl,
        string certPath, string caPath, int maxJobs, IReadOnlyList<string> allowedScms) =>
        new Dictionary<string, object?>(model)
        {
            ["builder"] = new Dictionary<string, object?>
            {
                ["name"] = name,
                ["hub_url"] = hubUrl,
                ["files_url"] = filesUrl,
                ["cert"] = certPath,
                ["ca"] = caPath,
                ["max_jobs"] = maxJobs,
                ["allowed_scms"] = allowedScms.ToList(),
            },
        };
}
