using KojiProvisioner.Content;

namespace KojiProvisioner.Tests.Content;

/// <summary>A small two-line content set that touches every kind of object.</summary>
internal static class TestContent
{
    public const string Yaml = """
        package_owner: kojiadmin
        users:
          - name: kojiadmin
            permissions: [admin]
          - name: kojira
            permissions: [repo]
          - name: releng
            permissions: [tag, target, stx-release]
        channels:
          - name: createrepo
          - name: stx
            description: StarlingX builders
        external_repos:
          - name: centos7-base
            url: https://vault.centos.org/7.9.2009/os/$arch
          - name: centos7-updates
            url: https://vault.centos.org/7.9.2009/updates/$arch/
          - name: rocky8-baseos
            url: https://dl.rockylinux.org/vault/rocky/8.9/BaseOS/$arch/os/
        tags:
          - name: stx-centos7-base
            arches: [x86_64]
            packages: [bash, coreutils]
          - name: stx-centos7-build
            arches: x86_64
            extra:
              mock.package_manager: yum
              mock.new_chroot: 0
            inheritance:
              - parent: stx-centos7-base
                priority: 0
            external_repos:
              - name: centos7-base
                priority: 10
              - name: centos7-updates
                priority: 20
                merge_mode: simple
            groups:
              - name: build
                packages: [bash, coreutils, rpm-build, redhat-rpm-config]
              - name: srpm-build
                packages: [bash, rpm-build]
          - name: stx-centos7-candidate
            inheritance: [stx-centos7-base]
            packages:
              - fm-common
              - name: mtce
                owner: releng
          - name: stx-rocky8-build
            arches: [x86_64, aarch64]
            external_repos: [rocky8-baseos]
            groups:
              - name: build
                packages: [bash]
            packages: [bash]
        targets:
          - name: stx-centos7
            build_tag: stx-centos7-build
            dest_tag: stx-centos7-candidate
          - name: stx-rocky8
            build_tag: stx-rocky8-build
            dest_tag: stx-rocky8-build
        """;

    public static KojiContent Load(string yaml = Yaml) => ContentLoader.LoadText(yaml, "test.yaml");
}
