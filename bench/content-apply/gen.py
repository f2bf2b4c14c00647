#!/usr/bin/python3
"""Writes one side of the benchmark: the StarlingX content (stacks/starlingx) with every Koji
name given a prefix, plus N synthetic packages in one base tag's package list, as a content
directory for `koji-farm content apply` and as a koji CLI script that makes the same writes on a
hub where no object with that prefix exists yet.

  gen.py --source stacks/starlingx --prefix k1- --packages 2000 --package-tag stx-centos7-base --out DIR

DIR/content/content.yaml (plus its includes and flock manifest) and DIR/cli.sh (one `k <koji
arguments>` line per koji command; cli-run.sh defines k). Prefixed: tags, targets, external repos,
channels, users (except the admin, who exists already) and package names; group package names are
kept (Koji stores them as plain names, not package objects).
"""
import argparse
import os
import shlex
import sys

import yaml

ADMIN = "kojiadmin"


def load(path):
    with open(path) as f:
        return yaml.safe_load(f) or {}


def dump(path, data):
    with open(path, "w") as f:
        yaml.safe_dump(data, f, sort_keys=False, default_flow_style=False, width=200)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--packages", type=int, default=2000)
    ap.add_argument("--package-tag", default="stx-centos7-base")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    p = a.prefix

    def pn(name):
        return p + name

    os.makedirs(os.path.join(a.out, "content"), exist_ok=True)
    top = load(os.path.join(a.source, "content.yaml"))
    files = {"content.yaml": top}
    for inc in top.get("include", []):
        files[inc] = load(os.path.join(a.source, inc))
    flocks = {f: load(os.path.join(a.source, f)) for f in top.get("flocks", [])}

    # ---- rename, file by file, keeping the structure (includes, flock manifest) ----
    for doc in files.values():
        if "package_owner" in doc:
            doc["package_owner"] = pn(doc["package_owner"])
        for u in doc.get("users", []):
            if u["name"] != ADMIN:
                u["name"] = pn(u["name"])
        for c in doc.get("channels", []):
            c["name"] = pn(c["name"])
        for r in doc.get("external_repos", []):
            r["name"] = pn(r["name"])
        for t in doc.get("tags", []):
            t["name"] = pn(t["name"])
            t["inheritance"] = [
                {"parent": pn(x), "priority": 10 * i} if isinstance(x, str) else dict(x, parent=pn(x["parent"]))
                for i, x in enumerate(t.get("inheritance", []))]
            t["external_repos"] = [
                {"name": pn(x), "priority": 10 * (i + 1)} if isinstance(x, str) else dict(x, name=pn(x["name"]))
                for i, x in enumerate(t.get("external_repos", []))]
            t["packages"] = [
                pn(x) if isinstance(x, str) else dict(x, name=pn(x["name"]), **({"owner": pn(x["owner"])} if x.get("owner") and x["owner"] != ADMIN else {}))
                for x in t.get("packages", [])]
            for key in ("inheritance", "external_repos", "packages"):
                if not t[key]:
                    del t[key]
        for t in doc.get("targets", []):
            t["name"], t["build_tag"], t["dest_tag"] = pn(t["name"]), pn(t["build_tag"]), pn(t["dest_tag"])
    for fl in flocks.values():
        fl["package_owner"] = pn(fl["package_owner"])
        for r in fl.get("repositories", []):
            r["tags"] = [pn(t) for t in r.get("tags", [])]
            for pk in r.get("packages", []):
                pk["name"] = pn(pk["name"])
                if "tags" in pk:
                    pk["tags"] = [pn(t) for t in pk["tags"]]

    # ---- the synthetic packages: one base tag's package list ----
    base = pn(a.package_tag)
    doc, tag = next(((d, t) for d in files.values() for t in d.get("tags", []) if t["name"] == base), (None, None))
    if tag is None:
        sys.exit(f"gen.py: no tag {a.package_tag} in {a.source}")
    tag.setdefault("packages", []).extend(f"{p}bench-pkg-{i:04d}" for i in range(1, a.packages + 1))
    if "package_owner" not in doc:  # the owner of a file's package-list entries is set per file
        doc["package_owner"] = top["package_owner"]

    for name, doc in files.items():
        dump(os.path.join(a.out, "content", name), doc)
    for name, doc in flocks.items():
        dump(os.path.join(a.out, "content", name), doc)

    # ---- the same writes as koji CLI commands ----
    all_docs = list(files.values())
    users = [u for d in all_docs for u in d.get("users", [])]
    channels = [c for d in all_docs for c in d.get("channels", [])]
    repos = [r for d in all_docs for r in d.get("external_repos", [])]
    tags = [t for d in all_docs for t in d.get("tags", [])]
    targets = [t for d in all_docs for t in d.get("targets", [])]

    cmds = []

    def k(*args):
        cmds.append("k " + " ".join(shlex.quote(str(x)) for x in args))

    # users and permissions (the admin already holds admin)
    for u in users:
        if u["name"] != ADMIN:
            k("add-user", u["name"])
    perms = {}
    for u in users:
        for perm in u.get("permissions", []):
            if not (u["name"] == ADMIN and perm == "admin"):
                perms.setdefault(perm, []).append(u["name"])
    for perm, names in perms.items():
        k("grant-permission", perm, *names)  # one command grants to many users
    for c in channels:
        if c.get("comment") is not None or c.get("enabled") is False:
            sys.exit("gen.py: channel comment/enabled has no add-channel option")
        k("add-channel", c["name"], *(["--description", c["description"]] if c.get("description") else []))

    # tags, parents first; a single priority-0 parent with default flags goes in add-tag --parent
    done, ordered = set(), []
    while len(ordered) < len(tags):
        progressed = False
        for t in tags:
            if t["name"] not in done and all(i["parent"] in done for i in t.get("inheritance", [])):
                ordered.append(t)
                done.add(t["name"])
                progressed = True
        if not progressed:
            sys.exit("gen.py: inheritance cycle")
    later = []
    for t in ordered:
        if any(key in t for key in ("perm", "locked", "maven_support", "maven_include_all")):
            sys.exit(f"gen.py: tag {t['name']}: perm/locked/maven settings are not generated")
        args = ["add-tag", t["name"]]
        if t.get("arches"):
            arches = t["arches"] if isinstance(t["arches"], str) else " ".join(t["arches"])
            args += ["--arches", arches]
        inh = t.get("inheritance", [])
        simple = len(inh) == 1 and inh[0].get("priority", 0) == 0 and set(inh[0]) <= {"parent", "priority"}
        if simple:
            args += ["--parent", inh[0]["parent"]]
        else:
            later += [(t["name"], i) for i in inh]
        for key, value in (t.get("extra") or {}).items():
            if isinstance(value, bool):
                value = "True" if value else "False"
            args += ["-x", f"{key}={value}"]  # the CLI turns "0" into 0, as YAML does
        k(*args)
    for name, i in later:
        args = ["add-tag-inheritance", name, i["parent"], "--priority", i.get("priority", 0)]
        if i.get("maxdepth") is not None:
            args += ["--maxdepth", i["maxdepth"]]
        if i.get("intransitive"):
            args.append("--intransitive")
        if i.get("noconfig"):
            args.append("--noconfig")
        if i.get("pkg_filter"):
            args += ["--pkg-filter", i["pkg_filter"]]
        k(*args)

    # external repos: created and linked to their tags in one command when the links share mode and arches
    links = {}
    for t in tags:
        for r in t.get("external_repos", []):
            links.setdefault(r["name"], []).append((t["name"], r))
    for repo in repos:
        ls = links.get(repo["name"], [])
        modes = {(r.get("merge_mode", "koji"), " ".join(r["arches"]) if r.get("arches") else None) for _, r in ls}
        if len(modes) <= 1:
            args = ["add-external-repo", repo["name"], repo["url"]]
            for tname, r in ls:
                args += ["-t", f"{tname}::{r['priority']}"]
            if ls:
                mode, arches = modes.pop()
                args += ["-m", mode]
                if arches:
                    args += ["-a", arches]
            k(*args)
        else:
            k("add-external-repo", repo["name"], repo["url"])
            for tname, r in ls:
                args = ["add-external-repo", repo["name"], "-t", f"{tname}::{r['priority']}", "-m", r.get("merge_mode", "koji")]
                if r.get("arches"):
                    args += ["-a", " ".join(r["arches"])]
                k(*args)

    # build groups (add-group-pkg has no --type: optional packages are not generated)
    for t in tags:
        for g in t.get("groups", []):
            if set(g) - {"name", "packages"}:
                sys.exit(f"gen.py: group {g['name']}: only name and packages are generated")
            k("add-group", t["name"], g["name"])
            names = []
            for x in g.get("packages", []):
                if isinstance(x, dict):
                    if x.get("type", "mandatory") != "mandatory":
                        sys.exit("gen.py: group package types are not generated")
                    x = x["name"]
                names.append(x)
            if names:
                k("add-group-pkg", t["name"], g["name"], *names)

    for t in targets:
        k("add-target", t["name"], t["build_tag"], t["dest_tag"])

    # package lists: one add-pkg (one multicall) per tag and owner, as a person batching would do
    lists = {}  # (tag, owner) -> [package]
    for d in all_docs:
        for t in d.get("tags", []):
            for x in t.get("packages", []):
                if isinstance(x, dict):
                    if x.get("blocked") or x.get("extra_arches"):
                        sys.exit("gen.py: blocked/extra_arches package entries are not generated")
                    lists.setdefault((t["name"], x.get("owner") or d["package_owner"]), []).append(x["name"])
                else:
                    lists.setdefault((t["name"], d["package_owner"]), []).append(x)
    for fl in flocks.values():
        for r in fl.get("repositories", []):
            for pk in r.get("packages", []):
                for tname in pk.get("tags", r.get("tags", [])):
                    lists.setdefault((tname, fl["package_owner"]), []).append(pk["name"])
    for (tname, owner), names in lists.items():
        k("add-pkg", "--owner", owner, tname, *dict.fromkeys(names))

    with open(os.path.join(a.out, "cli.sh"), "w") as f:
        f.write("# koji CLI commands making the same writes as content/content.yaml (generated by gen.py)\n")
        f.write("\n".join(cmds) + "\n")
    print(len(cmds))


if __name__ == "__main__":
    main()
