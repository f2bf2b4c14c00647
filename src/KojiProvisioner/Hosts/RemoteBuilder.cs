using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace KojiProvisioner.Hosts;

/// <summary>
/// Everything one remote builder host should end up with: how to reach it, its kojid.conf, its
/// client certificate with key (secret), the farm's CA, and where Koji comes from.
/// </summary>
public sealed record RemoteBuilder(
    SshTarget Target,
    string Stack,
    string KojidConf,
    string ClientPem,
    string CaPem,
    KojiSource? Koji)
{
    public string Name => Target.Name;
}

/// <summary>
/// The stack's Koji source as one gzipped tarball (a source tree is packed on first use), with
/// its hash: part of each host's install hash, so a new Koji reinstalls every source-built host.
/// </summary>
public sealed class KojiSource(string path)
{
    private readonly Lazy<(byte[] Bytes, string Sha256)> _tarball = new(() => Pack(path));

    public string Path => path;
    public byte[] Tarball => _tarball.Value.Bytes;
    public string Sha256 => _tarball.Value.Sha256;

    private static (byte[], string) Pack(string path)
    {
        byte[] bytes;
        if (Directory.Exists(path))
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
                TarFile.CreateFromDirectory(path, gzip, includeBaseDirectory: false);
            bytes = buffer.ToArray();
        }
        else if (File.Exists(path))
        {
            bytes = File.ReadAllBytes(path);
            if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b)
                throw new FarmException($"Koji source {path}: remote builders need a gzipped tarball (.tar.gz) or a source tree");
        }
        else
        {
            throw new FarmException($"Koji source {path} does not exist");
        }
        return (bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}

/// <summary>The scripts koji-farm puts on remote hosts, read from the assets beside the binary.</summary>
public sealed record RemoteAssets(string InstallKojid, string Supervisor, IReadOnlyList<(string Name, byte[] Content)> Multilib)
{
    public static RemoteAssets Load(string assetsRoot)
    {
        var remote = Path.Combine(assetsRoot, "infra", "remote");
        var multilib = Path.Combine(assetsRoot, "infra", "images", "koji-source", "multilib");
        return new RemoteAssets(
            File.ReadAllText(Path.Combine(remote, "install-kojid")),
            File.ReadAllText(Path.Combine(remote, "kojid-supervisor")),
            Directory.EnumerateFiles(multilib, "*.py").Order(StringComparer.Ordinal)
                .Select(f => (System.IO.Path.GetFileName(f), File.ReadAllBytes(f))).ToList());
    }

    public string Hash
    {
        get
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(Encoding.UTF8.GetBytes(InstallKojid));
            foreach (var (name, content) in Multilib)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(name));
                hash.AppendData(content);
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
    }
}
