#!/usr/bin/python3
"""Prints, as JSON, what a hub holds under one name prefix, with the prefix taken out, so the
two sides of the benchmark compare with diff: users and their permissions, channels, external
repos, tags (settings, extra, inheritance, external repos, groups, own package list), targets.
Runs inside a farm container with the koji library: dump.py SERVER CA PREFIX
"""
import json
import sys

import koji

server, ca, prefix = sys.argv[1:4]
s = koji.ClientSession(server, {"serverca": ca})


def strip(v):
    if isinstance(v, str):
        return v[len(prefix):] if v.startswith(prefix) else v
    if isinstance(v, (list, tuple)):
        return [strip(x) for x in v]
    if isinstance(v, dict):
        return {strip(k): strip(x) for k, x in v.items()}
    return v


def mine(name):
    return name.startswith(prefix)


tags = sorted(t["name"] for t in s.listTags() if mine(t["name"]))
targets = sorted((t["name"], t["build_tag_name"], t["dest_tag_name"]) for t in s.getBuildTargets() if mine(t["name"]))
repos = sorted((r["name"], r["url"]) for r in s.listExternalRepos() if mine(r["name"]))
channels = sorted((c["name"], c.get("description"), c.get("enabled")) for c in s.listChannels() if mine(c["name"]))
users = sorted(u["name"] for u in s.listUsers() if mine(u["name"])) + ["kojiadmin"]

with s.multicall(strict=True) as m:
    perms = {u: m.getUserPerms(u) for u in users}
    detail = {t: (m.getTag(t), m.getInheritanceData(t), m.getTagExternalRepos(t), m.getTagGroups(t, incl_blocked=True),
                  m.listPackages(tagID=t, inherited=False, with_owners=True)) for t in tags}

out = {"users": {u: sorted(p.result) for u, p in perms.items()}, "channels": channels, "external_repos": repos,
       "targets": targets, "tags": {}}
for name, (tag, inh, ext, groups, pkgs) in detail.items():
    tag = tag.result
    out["tags"][name] = {
        "arches": tag["arches"], "perm": tag["perm"], "locked": tag["locked"], "maven_support": tag["maven_support"],
        "extra": tag["extra"],
        "inheritance": sorted((i["name"], i["priority"], i["maxdepth"], i["intransitive"], i["noconfig"], i["pkg_filter"]) for i in inh.result),
        "external_repos": sorted((e["external_repo_name"], e["priority"], e["merge_mode"], e.get("arches")) for e in ext.result),
        # getTagGroups includes inherited groups; keep those defined on this tag
        "groups": sorted((g["name"], g["blocked"], sorted((p["package"], p["type"], p["blocked"]) for p in g["packagelist"]))
                         for g in groups.result if g["tag_id"] == tag["id"]),
        "packages": sorted((p["package_name"], p["owner_name"], p["blocked"], p["extra_arches"]) for p in pkgs.result),
    }
print(json.dumps(strip(out), indent=1, sort_keys=True, default=str))
