using KojiProvisioner.Content;

namespace KojiProvisioner.Tests.Flock;

/// <summary>An OS line (and another) with a target each, and a Flock of three packages on the line.</summary>
internal static class FlockTestContent
{
    public const string Content = """
        package_owner: kojiadmin
        tags:
          - name: line-base
          - name: line-candidate
            inheritance: [{ parent: line-base }]
          - name: line-build
            arches: [x86_64]
            inheritance: [{ parent: line-candidate }]
          - name: other-base
          - name: other-build
            arches: [x86_64]
            inheritance: [{ parent: other-base }]
        targets:
          - { name: line, build_tag: line-build, dest_tag: line-candidate }
          - { name: other, build_tag: other-build, dest_tag: other-base }
        """;

    public const string Flock = """
        package_owner: kojiadmin
        repositories:
          - name: lib
            url: git://git.example/lib
            ref: master
            tags: [line-base]
            packages:
              - { name: lib, spec: lib.spec }
          - name: tools
            url: https://git.example/tools.git
            ref: v2
            tags: [line-base]
            packages:
              - { name: tools, spec: pkg/centos/tools.spec }
          - name: app
            url: git://git.example/app
            ref: master
            tags: [line-base]
            packages:
              - { name: app, spec: app.spec }
        """;

    public static KojiContent WithFlock(string flock)
    {
        var content = ContentLoader.LoadText(Content, "content.yaml");
        return content with { Flocks = [FlockManifest.LoadText(flock)] };
    }
}
