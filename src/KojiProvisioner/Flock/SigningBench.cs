using System.Text;
using Docker.DotNet.Models;
using KojiProvisioner.Docker;
using KojiProvisioner.Farm;

namespace KojiProvisioner.Flock;

/// <summary>
/// A short-lived container with gpg and rpmsign (the signer recipe) and no network: it makes the
/// company's key, or receives it, signs the RPMs copied into it, and is removed when disposed,
/// so the private key lives in no farm container. Made once per machine, the image is reused by
/// every farm.
/// </summary>
public sealed class SigningBench : IAsyncDisposable
{
    private const string Work = "/sign/work";
    /// <summary>How much of a signed RPM is read back: the 96-byte lead and a signature header of a few KiB fit.</summary>
    private const int HeadBytes = 256 * 1024;
    private readonly DockerEngine _engine;
    private readonly string _id;
    private readonly string _name;

    private SigningBench(DockerEngine engine, string id, string name) => (_engine, _id, _name) = (engine, id, name);

    public static async Task<SigningBench> StartAsync(DockerEngine engine, EngineOptions options, string stack, IProgress<string>? progress, CancellationToken ct)
    {
        var image = ImageRecipes.Signer(options.ImagesRoot);
        if (await engine.ImageIdAsync(image.Reference, ct) is null)
        {
            progress?.Report($"building the signing image {image.Reference} (gpg, rpmsign; once per machine)");
            await using var context = FileArchive.BuildContext(image, options.ImagesRoot);
            await engine.BuildImageAsync(image, context, options.BuildNetworkMode, null, ct);
        }
        var name = $"{stack}-signer-{Guid.NewGuid().ToString("N")[..8]}";
        // Removed by the engine when its sleep ends, should koji-farm be killed before it removes it.
        var id = await engine.CreateContainerAsync(ContainerParameters.Signer(stack, name, image.Reference), ct);
        var bench = new SigningBench(engine, id, name);
        try
        {
            await engine.StartContainerAsync(id, name, ct);
            await bench.RunAsync(["sh", "-c", $"mkdir -p -m 700 \"$GNUPGHOME\" {Work}"], ct);
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
        return bench;
    }

    /// <summary>Makes a key (gpg --batch --gen-key, no passphrase: the state folder is its protection) and returns it armored.</summary>
    public async Task<(string Fingerprint, string PublicKey, string SecretKey)> GenerateAsync(string realName, string email, int bits, CancellationToken ct)
    {
        var parameters = $"""
            Key-Type: RSA
            Key-Length: {bits}
            Key-Usage: sign
            Name-Real: {realName}
            Name-Email: {email}
            Expire-Date: 0
            %no-protection
            %commit

            """;
        await _engine.CopyFilesAsync(_id, _name, [new ContainerFile("/sign/key-params", Encoding.UTF8.GetBytes(parameters), 0x180)], ct);
        var before = await FingerprintsAsync(ct);
        await RunAsync(["gpg", "--batch", "--gen-key", "/sign/key-params"], ct);
        var fingerprint = (await FingerprintsAsync(ct)).Except(before).Single();
        var pub = await RunAsync(["gpg", "--armor", "--export", fingerprint], ct);
        var secret = await RunAsync(["gpg", "--armor", "--export-secret-keys", fingerprint], ct);
        return (fingerprint, pub, secret);
    }

    /// <summary>Gives the bench the private keys it may sign with (for this run only).</summary>
    public async Task ImportAsync(IReadOnlyList<SigningKey> keys, CancellationToken ct)
    {
        var files = keys.Select((k, i) => new ContainerFile($"/sign/import-{i}.key", File.ReadAllBytes(k.SecretFile), 0x180)).ToList();
        await _engine.CopyFilesAsync(_id, _name, files, ct);
        await RunAsync(["sh", "-c", "gpg --batch --import /sign/import-*.key && rm -f /sign/import-*.key"], ct);
    }

    /// <summary>
    /// Copies one RPM out of <paramref name="sourceContainer"/> (the hub's /mnt/koji), signs it with
    /// rpmsign, and returns its signature header: what <c>koji.rip_rpm_sighdr</c> takes from the file.
    /// </summary>
    public async Task<byte[]> SignAsync(string fingerprint, string sourceContainer, string rpmPath, CancellationToken ct)
    {
        var file = System.IO.Path.GetFileName(rpmPath);
        await using (var tar = await _engine.GetArchiveAsync(sourceContainer, rpmPath, ct))
            await _engine.PutArchiveAsync(_id, Work, tar, ct);
        await RunAsync(["rpmsign", "--define", "__gpg /usr/bin/gpg", "--define", $"_gpg_name {fingerprint}", "--addsign", $"{Work}/{file}"], ct);
        // Only the lead and signature header come back (they sit in the first KiBs), as base64 on stdout.
        var head = await RunAsync(["sh", "-c", $"head -c {HeadBytes} '{Work}/{file}' | base64 -w0 && rm -f '{Work}/{file}'"], ct);
        var signed = Convert.FromBase64String(head.Trim());
        return RpmSignatureHeader(signed, file);
    }

    /// <summary>
    /// The signature header of an RPM: after the 96-byte lead, 16 bytes of intro, 16 per index entry,
    /// the data, padded to 8 bytes (koji.find_rpm_sighdr).
    /// </summary>
    public static byte[] RpmSignatureHeader(byte[] rpm, string name)
    {
        const int lead = 96;
        if (rpm.Length < lead + 16 || rpm[lead] != 0x8e || rpm[lead + 1] != 0xad || rpm[lead + 2] != 0xe8)
            throw new FarmException($"{name} is not an RPM: no signature header after its lead");
        static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
        var index = BigEndian(rpm, lead + 8);
        var data = BigEndian(rpm, lead + 12);
        var size = 8 + 16 * index + data;
        size += (8 - size % 8) % 8;
        size += 8;
        if (index < 0 || data < 0 || lead + size > rpm.Length)
            throw new FarmException($"{name}: its signature header is cut short");
        return rpm[lead..(lead + size)];
    }

    private async Task<IReadOnlyList<string>> FingerprintsAsync(CancellationToken ct)
    {
        var colons = await RunAsync(["gpg", "--with-colons", "--list-secret-keys"], ct, allowFailure: true);
        // The first fpr line after each sec line is the primary key's fingerprint.
        var result = new List<string>();
        var wantFpr = false;
        foreach (var line in colons.Split('\n'))
        {
            if (line.StartsWith("sec:", StringComparison.Ordinal))
                wantFpr = true;
            else if (wantFpr && line.StartsWith("fpr:", StringComparison.Ordinal))
            {
                result.Add(line.Split(':')[9]);
                wantFpr = false;
            }
        }
        return result;
    }

    private async Task<string> RunAsync(IReadOnlyList<string> command, CancellationToken ct, bool allowFailure = false)
    {
        var result = await _engine.ExecAsync(_id, command, ct);
        if (result.ExitCode != 0 && !allowFailure)
            throw new FarmException($"signing: `{string.Join(' ', command)}` failed: {result}");
        return result.Stdout;
    }

    public async ValueTask DisposeAsync() => await _engine.RemoveContainerAsync(_id, _name, CancellationToken.None);
}
