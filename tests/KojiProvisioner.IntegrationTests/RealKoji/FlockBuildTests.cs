using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using KojiProvisioner.IntegrationTests.Support;
using KojiProvisioner.Koji;
using Xunit.Abstractions;

namespace KojiProvisioner.IntegrationTests.RealKoji;

/// <summary>
/// The farm does its real job with no network beyond this machine: package-git repositories on a
/// git server in the farm's network become RPMs, built by kojid in mock in a buildroot bootstrapped
/// from a Debian tree, in BuildRequires order, and land in the target's destination tag. The first
/// `flock build` is the installed native koji-farm's when there is one, as a farm host runs it.
/// </summary>
[Collection(RealKojiCollection.Name)]
public sealed class FlockBuildTests(ITestOutputHelper output)
{
    private const string Hello = "flock-hello", CProgram = "flock-cprog", UsesHello = "flock-uses-hello", Broken = "flock-broken";
    private const string Release = "stx-offline-release";

    [SkippableFact]
    public async Task Flock_build_turns_three_package_git_repositories_into_rpms_in_order_and_reports_a_broken_one()
    {
        TestStack.SkipWithoutKoji();
        TestStack.SkipWithoutMock();
        var steps = new Steps(output);
        await using var stack = new TestStack("flock", builders: 1,
            extraYaml: """
                buildroot:
                  bootstrap: debian-12
                  tags: [stx-offline-base]
                content: content.yaml
                """,
            buildersYaml: $"""
                  mock: true
                  mockSource: {TestStack.MockSource}
                  capacity: 6.0
                """);
        var gitHost = $"{stack.Name}-git";
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "content.yaml"), Content);
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "flock.yaml"), Flock(gitHost));

        var up = await steps.Run("up: images (builder with mock), farm, content, buildroot imported and tagged", () => stack.RunAsync("up"));
        Assert.True(up.ExitCode == 0, up.ToString());
        var definition = stack.Definition();
        var builderImage = definition.Plan.Images.Single(i => i.Recipe == "koji-builder").Reference;
        var builder = definition.Plan.Containers.Single(c => c.Role == "builder");
        Assert.Contains("SYS_ADMIN", builder.CapAdd);
        Assert.False(builder.Privileged);

        using var hub = stack.AdminClient();
        await hub.LoginAsync();
        await steps.Run("the buildroot RPM is a build tagged into stx-offline-base, named by the build groups", async () =>
        {
            var tagged = (IEnumerable<object?>)(await hub.CallAsync("listTagged", "stx-offline-base"))!;
            Assert.Contains(tagged.Cast<IReadOnlyDictionary<string, object?>>(), b => (string?)b["name"] == "debian-buildroot");
        });

        try
        {
            await steps.Run("a git server on the farm's network with four package-git repositories", () => StartGitServerAsync(stack, gitHost, builderImage));

            var dry = await steps.Run($"flock build --dry-run: all four would be submitted, {UsesHello} in the layer after {Hello}; nothing is sent",
                () => stack.RunAsync("flock", "build", "--dry-run", "--output", "json"));
            Assert.True(dry.ExitCode == 0, dry.ToString());
            using (var plan = JsonDocument.Parse(dry.Out))
            {
                Assert.Equal(4, plan.RootElement.GetProperty("submitted").GetInt32());
                var layers = plan.RootElement.GetProperty("plan").EnumerateArray()
                    .Select(l => l.GetProperty("builds").EnumerateArray().Select(b => b.GetProperty("package").GetString()).ToList()).ToList();
                Assert.Equal(2, layers.Count);
                Assert.Contains(Hello, layers[0]);
                Assert.Equal([UsesHello], layers[1]);
            }
            Assert.Empty((IEnumerable<object?>)(await hub.CallAsync("listTasks", new KojiKwargs
            {
                { "opts", new Dictionary<string, object?> { ["method"] = "build" } },
            }))!);

            var first = await steps.Run($"flock build ({TestStack.InstalledBuild}): three packages complete, the broken one fails", () => stack.RunInstalledAsync("flock", "build"));
            output.WriteLine(first.ToString());
            Assert.True(first.ExitCode == 1, first.ToString());
            Assert.Contains($"build of {Broken} failed", first.Error);
            Assert.Contains($"{stack.Name}-builder-1", first.Out);   // "building on <host>"
            Assert.Contains("complete", first.Out);

            using var http = stack.TrustingClient(TimeSpan.FromSeconds(120));
            await steps.Run("the broken package's message names its build log, and the log says why", async () =>
            {
                var line = first.Error.Split('\n').Single(l => l.Contains(Broken, StringComparison.Ordinal));
                var url = line[(line.IndexOf("build log: ", StringComparison.Ordinal) + "build log: ".Length)..].Trim();
                Assert.Contains("/kojifiles/work/tasks/", url);
                var log = await http.GetStringAsync(url);
                Assert.Contains("no-such-command-in-the-buildroot", log);
            });

            var nvrs = new Dictionary<string, string>();
            await steps.Run("all three builds are COMPLETE and tagged into the destination tag", async () =>
            {
                var tagged = ((IEnumerable<object?>)(await hub.CallAsync("listTagged", "stx-offline-candidate"))!)
                    .Cast<IReadOnlyDictionary<string, object?>>().ToList();
                foreach (var name in new[] { Hello, CProgram, UsesHello })
                {
                    var build = tagged.Single(b => (string?)b["name"] == name);
                    Assert.Equal(BuildState.Complete, (BuildState)Convert.ToInt32(build["state"]));
                    nvrs[name] = (string)build["nvr"]!;
                }
                Assert.DoesNotContain(tagged, b => (string?)b["name"] == Broken);
            });

            await steps.Run($"{UsesHello} (BuildRequires {Hello}) was submitted only after {Hello} was built", async () =>
            {
                var hello = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getBuild", nvrs[Hello]))!;
                var uses = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getBuild", nvrs[UsesHello]))!;
                var usesTask = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getTaskInfo", uses["task_id"]))!;
                Assert.True(Convert.ToDouble(hello["completion_ts"]) <= Convert.ToDouble(usesTask["create_ts"]),
                    $"{UsesHello} task created at {usesTask["create_ts"]}, before {Hello} completed at {hello["completion_ts"]}");
            });

            var rpmDir = Directory.CreateDirectory(Path.Combine(stack.Directory, "rpms")).FullName;
            await steps.Run("the RPMs come from /kojifiles/packages and rpm -qip shows name, version and the dist tag", async () =>
            {
                foreach (var (name, nvr) in nvrs)
                {
                    var build = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getBuild", nvr))!;
                    var rpms = ((IEnumerable<object?>)(await hub.CallAsync("listRPMs", build["id"]))!).Cast<IReadOnlyDictionary<string, object?>>();
                    var binary = rpms.Single(r => (string?)r["arch"] != "src" && (string?)r["name"] == name);
                    var file = $"{binary["name"]}-{binary["version"]}-{binary["release"]}.{binary["arch"]}.rpm";
                    var url = $"https://localhost:{stack.HubPort}/kojifiles/packages/{build["name"]}/{build["version"]}/{build["release"]}/{binary["arch"]}/{file}";
                    await File.WriteAllBytesAsync(Path.Combine(rpmDir, file), await http.GetByteArrayAsync(url));
                    var info = await InImage(builderImage, rpmDir, $"rpm -qip /rpms/{file}");
                    Assert.Contains($"Name        : {name}", info);
                    Assert.Matches(@"Release     : 1\.stx", info);
                    Assert.Contains(name == CProgram ? "Version     : 2.1" : "Version     : 1.0", info);
                }
            });

            await steps.Run("the C program, compiled by the buildroot's gcc, runs", async () =>
            {
                var file = Directory.GetFiles(rpmDir, $"{CProgram}-*.x86_64.rpm").Single();
                var run = await InImage(builderImage, rpmDir,
                    $"mkdir /tmp/x && cd /tmp/x && rpm2cpio /rpms/{Path.GetFileName(file)} | cpio -idm --quiet && ./usr/bin/{CProgram}");
                Assert.Contains("flock-cprog 2.1 says hello to the farm", run);
            });

            await steps.Run("kojiweb's build page names each build", async () =>
            {
                foreach (var nvr in nvrs.Values)
                {
                    var build = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getBuild", nvr))!;
                    var page = await http.GetStringAsync($"https://localhost:{stack.WebPort}/koji/buildinfo?buildID={build["id"]}");
                    Assert.Contains(nvr, page);
                }
            });

            var again = await steps.Run("flock build again (the three good ones): submits nothing, all built",
                () => stack.RunAsync("flock", "build", "--package", Hello, "--package", CProgram, "--package", UsesHello, "--output", "json"));
            Assert.True(again.ExitCode == 0, again.ToString());
            using var json = JsonDocument.Parse(again.Out);
            Assert.Equal(0, json.RootElement.GetProperty("submitted").GetInt32());
            var rows = json.RootElement.GetProperty("builds").EnumerateArray().ToList();
            Assert.Equal(3, rows.Count);
            Assert.All(rows, r => Assert.Equal("built", r.GetProperty("state").GetString()));
            Assert.All(rows, r => Assert.Equal(nvrs[r.GetProperty("package").GetString()!], r.GetProperty("nvr").GetString()));

            await SignAndPublishAsync(stack, hub, steps, nvrs);
        }
        finally
        {
            await Shell.RunAsync("docker", "rm", "-f", gitHost);
        }
    }

    /// <summary>
    /// Packages out: `flock build --sign` signs the mock-built pair (one built with the other in its
    /// buildroot) with the company key; both are tagged into the release tag, published with
    /// `dist-repo --wait`, and a clean host installs them with gpgcheck on and refuses a changed one.
    /// </summary>
    private async Task SignAndPublishAsync(TestStack stack, KojiHubClient hub, Steps steps, IReadOnlyDictionary<string, string> nvrs)
    {
        var sign = await steps.Run($"flock build --sign ({Hello}, {UsesHello}): nothing to build, every RPM of both signed with a company key made now",
            () => stack.RunAsync("flock", "build", "--sign", "--package", Hello, "--package", UsesHello, "--output", "json"));
        Assert.True(sign.ExitCode == 0, sign.ToString());
        using var signJson = JsonDocument.Parse(sign.Out);
        Assert.Equal(0, signJson.RootElement.GetProperty("submitted").GetInt32());
        var keyId = signJson.RootElement.GetProperty("signingKey").GetString()!;
        var sigkey = keyId[^8..].ToLowerInvariant();
        var rpms = 0;
        foreach (var name in new[] { Hello, UsesHello })
        {
            var build = (IReadOnlyDictionary<string, object?>)(await hub.CallAsync("getBuild", nvrs[name]))!;
            foreach (var rpm in ((IEnumerable<object?>)(await hub.CallAsync("listRPMs", build["id"]))!).Cast<IReadOnlyDictionary<string, object?>>())
            {
                rpms++;
                var sigs = ((IEnumerable<object?>)(await hub.CallAsync("queryRPMSigs", new KojiKwargs { { "rpm_id", rpm["id"] } }))!)
                    .Cast<IReadOnlyDictionary<string, object?>>().Select(s => (string?)s["sigkey"]);
                Assert.Contains(sigkey, sigs);
            }
        }
        Assert.Equal(rpms, signJson.RootElement.GetProperty("signed").GetInt32());

        foreach (var name in new[] { Hello, UsesHello })
            await hub.CallAsync("tagBuildBypass", Release, nvrs[name]);
        var dist = await steps.Run($"dist-repo {Release} --wait: Koji's distRepo of the signed pair", () => stack.RunAsync("dist-repo", Release, "--wait", "--output", "json"));
        Assert.True(dist.ExitCode == 0, dist.ToString());
        using var distJson = JsonDocument.Parse(dist.Out);
        var repoFile = distJson.RootElement.GetProperty("repoFile").GetString()!;
        Assert.Equal([sigkey], distJson.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        var keyUrl = repoFile.Split('\n').Single(l => l.StartsWith("gpgkey=", StringComparison.Ordinal))["gpgkey=".Length..].Trim();

        var hostDir = Directory.CreateDirectory(Path.Combine(stack.Directory, "host")).FullName;
        var client = await steps.Run("a clean Debian container with rpm and dnf", () => RpmHost.ImageAsync(stack.Directory));
        var host = await steps.Run("the host imports the key from its URL and installs both with gpgcheck on; a changed RPM fails rpm -K",
            () => RpmHost.InstallAsync(client, hostDir, repoFile, Path.Combine(stack.Load().StateDirectory, "pki", "ca.crt"), keyUrl,
                [Hello, UsesHello], tampered: Hello, after: $"cat /ir/usr/share/{UsesHello}/greeting"));
        output.WriteLine(host);
        Assert.Contains("digests signatures OK", host);
        Assert.Contains(nvrs[Hello] + ".noarch", host);
        Assert.Contains(nvrs[UsesHello] + ".noarch", host);
        Assert.Contains("hello from the flock", host);   // made at build time by the BuildRequires
        Assert.Contains("TAMPERED-REFUSED", host);
    }

    private static async Task<string> InImage(string image, string rpmDir, string script)
    {
        var run = await Shell.RunAsync("docker", "run", "--rm", "--network", "none", "--entrypoint", "sh",
            "-v", $"{rpmDir}:/rpms:ro", image, "-c", script);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Stdout;
    }

    /// <summary>git daemon in a container of the builder image, on the farm's network; the repositories are made in it.</summary>
    private static async Task StartGitServerAsync(TestStack stack, string name, string image)
    {
        await GitServer.StartAsync(stack, name, image);
        var script = string.Join("\n", Repositories.Select(r =>
            $"""
            mkdir -p /tmp/w/{r.Key} && cd /tmp/w/{r.Key} && git init -q -b master
            {string.Join("\n", r.Value.Select(f => $"mkdir -p \"$(dirname '{f.Key}')\" && cat > '{f.Key}' <<'FILE_END'\n{f.Value}\nFILE_END"))}
            git add -A && git -c user.name=Flock -c user.email=flock@example.com commit -q -m 'first' && git clone -q --bare /tmp/w/{r.Key} /srv/git/{r.Key}
            """));
        var made = await Shell.RunAsync("docker", "exec", name, "sh", "-ec", script);
        Assert.True(made.ExitCode == 0, made.ToString());
    }

    private static readonly Dictionary<string, Dictionary<string, string>> Repositories = new()
    {
        [Hello] = new()
        {
            [$"{Hello}.spec"] = """
                Name:      flock-hello
                Version:   1.0
                Release:   1%{?dist}
                Summary:   A script that greets
                License:   MIT
                BuildArch: noarch

                %description
                Installs a script that prints a greeting.

                %install
                mkdir -p %{buildroot}/usr/bin
                printf '#!/bin/sh\necho hello from the flock\n' > %{buildroot}/usr/bin/flock-hello
                chmod 755 %{buildroot}/usr/bin/flock-hello

                %files
                /usr/bin/flock-hello
                """,
        },
        [CProgram] = new()
        {
            // Beside the spec: with a sub-path, kojid's sources are the sub-folder.
            ["rpm/cprog.c"] = """
                #include <stdio.h>
                int main(void) { printf("flock-cprog %s says hello to the farm\n", VERSION); return 0; }
                """,
            // The spec in a sub-folder: built through Koji's SCM sub-path (URL?rpm#ref).
            [$"rpm/{CProgram}.spec"] = """
                %global debug_package %{nil}
                Name:      flock-cprog
                Version:   2.1
                Release:   1%{?dist}
                Summary:   A C program
                License:   MIT
                Source0:   cprog.c

                %description
                A C program compiled by the buildroot's gcc.

                %build
                gcc -O2 -DVERSION='"%{version}"' -o flock-cprog %{SOURCE0}

                %install
                install -D -m 755 flock-cprog %{buildroot}/usr/bin/flock-cprog

                %files
                /usr/bin/flock-cprog
                """,
        },
        [UsesHello] = new()
        {
            [$"{UsesHello}.spec"] = """
                Name:          flock-uses-hello
                Version:       1.0
                Release:       1%{?dist}
                Summary:       Built with flock-hello in its buildroot
                License:       MIT
                BuildArch:     noarch
                BuildRequires: flock-hello

                %description
                Runs flock-hello at build time and keeps what it said.

                %build
                flock-hello > greeting

                %install
                install -D -m 644 greeting %{buildroot}/usr/share/flock-uses-hello/greeting

                %files
                /usr/share/flock-uses-hello/greeting
                """,
        },
        [Broken] = new()
        {
            [$"{Broken}.spec"] = """
                Name:      flock-broken
                Version:   1.0
                Release:   1%{?dist}
                Summary:   Fails to build
                License:   MIT
                BuildArch: noarch

                %description
                Its build step runs a command no buildroot has.

                %build
                no-such-command-in-the-buildroot

                %files
                """,
        },
    };

    private static string Flock(string gitHost) => $"""
        package_owner: kojiadmin
        allowed_scms:
          - "{gitHost}:/*:no:"
        repositories:
          - name: {Hello}
            url: git://{gitHost}/{Hello}
            ref: master
            tags: [stx-offline-base]
            packages:
              - {"{"} name: {Hello}, spec: {Hello}.spec {"}"}
          - name: {CProgram}
            url: git://{gitHost}/{CProgram}
            ref: master
            tags: [stx-offline-base]
            packages:
              - {"{"} name: {CProgram}, spec: rpm/{CProgram}.spec {"}"}
          - name: {UsesHello}
            url: git://{gitHost}/{UsesHello}
            ref: master
            tags: [stx-offline-base]
            packages:
              - {"{"} name: {UsesHello}, spec: {UsesHello}.spec {"}"}
          - name: {Broken}
            url: git://{gitHost}/{Broken}
            ref: master
            tags: [stx-offline-base]
            packages:
              - {"{"} name: {Broken}, spec: {Broken}.spec {"}"}
        """;

    private const string Content = """
        package_owner: kojiadmin
        flocks: [flock.yaml]
        tags:
          - name: stx-offline-base
            arches: [x86_64]
            packages:
              - { name: debian-buildroot }
          - name: stx-offline-candidate
            inheritance:
              - { parent: stx-offline-base, priority: 0 }
          - name: stx-offline-build
            arches: [x86_64]
            extra:
              mock.package_manager: dnf
              mock.use_bootstrap: false
              mock.releasever: "12"
              rpm.macro.dist: .stx
            inheritance:
              - { parent: stx-offline-candidate, priority: 0 }
            groups:
              - { name: build, packages: [debian-buildroot] }
              - { name: srpm-build, packages: [debian-buildroot] }
          - name: stx-offline-release
            arches: [x86_64]
            packages:
              - { name: flock-hello }
              - { name: flock-uses-hello }
        targets:
          - { name: stx-offline, build_tag: stx-offline-build, dest_tag: stx-offline-candidate }
        """;
}
