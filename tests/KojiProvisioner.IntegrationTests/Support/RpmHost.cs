namespace KojiProvisioner.IntegrationTests.Support;

/// <summary>
/// A host that installs from a farm's dist repo: a clean Debian container with rpm and dnf, on this
/// machine's loopback only. It trusts the farm's CA, fetches the company key from its published URL,
/// and installs with signature checking on.
/// </summary>
public static class RpmHost
{
    /// <summary>The client image (built once per machine, on the shared Debian base).</summary>
    public static async Task<string> ImageAsync(string dir)
    {
        var context = Directory.CreateDirectory(Path.Combine(dir, "client-image")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), """
            FROM koji-farm/debian-base:bookworm
            RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rpm dnf curl ca-certificates && rm -rf /var/lib/apt/lists/*
            """);
        const string tag = "koji-farm-test/rpm-dnf-client:1";
        var build = await Shell.RunAsync("docker", "build", "-q", "-t", tag, context);
        Assert.True(build.ExitCode == 0, build.ToString());
        return tag;
    }

    /// <summary>Runs <paramref name="script"/> in <paramref name="image"/> with <paramref name="dir"/> at /rpms; returns stdout and stderr.</summary>
    public static async Task<string> RunAsync(string image, string dir, string script)
    {
        var run = await Shell.RunAsync("docker", "run", "--rm", "--network", "host", "--entrypoint", "sh",
            "-v", $"{dir}:/rpms", image, "-c", script);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Stdout + run.Stderr;
    }

    /// <summary>
    /// The host's whole story: the `.repo` file koji-farm printed (with the farm's CA as sslcacert),
    /// the key from <paramref name="keyUrl"/> imported, <paramref name="packages"/> downloaded with their
    /// dependencies and each checked with `rpm -K`, then installed with gpgcheck on and queried;
    /// <paramref name="after"/> runs next. Last, a copy of <paramref name="tampered"/>'s RPM with one
    /// byte changed near its end is checked: the output says TAMPERED-REFUSED or TAMPERED-ACCEPTED.
    /// </summary>
    public static async Task<string> InstallAsync(string image, string dir, string repoFile, string caFile, string keyUrl,
        IReadOnlyList<string> packages, string tampered, string after = "")
    {
        await File.WriteAllTextAsync(Path.Combine(dir, "farm.repo"), repoFile.Replace("enabled=1", "enabled=1\nsslcacert=/rpms/ca.crt"));
        File.Copy(caFile, Path.Combine(dir, "ca.crt"), overwrite: true);
        var names = string.Join(' ', packages);
        return await RunAsync(image, dir, $"""
            set -e
            curl -fsS --cacert /rpms/ca.crt '{keyUrl}' -o /tmp/key.asc
            rpm --import /tmp/key.asc
            mkdir -p /tmp/dl /ir && rpm --root /ir --initdb && rpm --root /ir --import /tmp/key.asc
            # The host's base system, as any real one has: an RPM providing the /bin/sh that scripts require.
            printf 'Name: host-base\nVersion: 1\nRelease: 1\nSummary: the host base system\nLicense: MIT\nBuildArch: noarch\nProvides: /bin/sh\n%%description\nbase\n%%files\n' > /tmp/host-base.spec
            rpmbuild -bb --define '_topdir /tmp/base' /tmp/host-base.spec >/dev/null 2>&1
            rpm --root /ir -i /tmp/base/RPMS/noarch/host-base-1-1.noarch.rpm 2>/dev/null
            D="dnf -y -q --setopt=reposdir=/rpms --releasever=12 --setopt=install_weak_deps=0"
            $D --installroot /ir makecache
            $D --installroot /ir install --downloadonly --downloaddir /tmp/dl {names}
            for f in /tmp/dl/*.rpm; do rpm -K "$f"; done
            cp /tmp/dl/{tampered}-[0-9]*.rpm /tmp/bad.rpm
            $D --installroot /ir install {names}
            rpm --root /ir -q {names}
            {after}
            printf 'X' | dd of=/tmp/bad.rpm bs=1 seek=$(( $(stat -c %s /tmp/bad.rpm) - 40 )) conv=notrunc 2>/dev/null
            if rpm -K /tmp/bad.rpm; then echo TAMPERED-ACCEPTED; else echo TAMPERED-REFUSED; fi
            """);
    }
}
