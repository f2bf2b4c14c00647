using KojiProvisioner.Config;

namespace KojiProvisioner.Farm;

/// <summary>Names of a stack's engine objects and the URLs its parts use to reach each other.</summary>
public sealed class FarmNames(StackSpec spec)
{
    public string Network => $"koji-farm-{spec.Name}";
    public string DbVolume => $"koji-farm-{spec.Name}-db";
    public string KojiVolume => $"koji-farm-{spec.Name}-mnt-koji";

    /// <summary>What is mounted as /mnt/koji: the company's folder (storage.hostPath), else the farm's volume.</summary>
    public string MntKoji => spec.Storage.HostPath ?? KojiVolume;
    public string Container(string role) => $"{spec.Name}-{role}";
    public string Builder(int index) => StackValidator.LocalBuilderName(spec.Name, index);

    /// <summary>Inside the farm's network the hub is `hub`; its certificate names it so.</summary>
    public string InternalHubUrl => "https://hub/kojihub";
    public string InternalFilesUrl => "https://hub/kojifiles";
    public string PublicHubUrl => $"https://{spec.Hub.PublicHost}:{spec.Hub.Port}/kojihub";
    public string PublicFilesUrl => $"https://{spec.Hub.PublicHost}:{spec.Hub.Port}/kojifiles";
    public string PublicWebUrl => $"https://{spec.Hub.PublicHost}:{spec.Web.Port}/koji";

    /// <summary>The hub and files URLs as a remote builder reaches them: its own hub URL, else the public one.</summary>
    public (string Hub, string Files) RemoteUrls(RemoteBuilderSpec remote)
    {
        if (string.IsNullOrWhiteSpace(remote.HubUrl))
            return (PublicHubUrl, PublicFilesUrl);
        var hub = remote.HubUrl.TrimEnd('/');
        return (hub, hub.EndsWith("/kojihub", StringComparison.Ordinal) ? hub[..^"/kojihub".Length] + "/kojifiles" : PublicFilesUrl);
    }

    /// <summary>Every name a client may use for the hub or the web must be in the server certificate.</summary>
    public IReadOnlyList<string> ServerNames =>
        new[] { "hub", "web", Container(Roles.Hub), Container(Roles.Web), "localhost", "127.0.0.1", spec.Hub.PublicHost }
            .Concat(spec.Hub.BindAddress is "0.0.0.0" or "::" ? [] : new[] { spec.Hub.BindAddress })
            .Distinct(StringComparer.Ordinal)
            .ToList();
}
