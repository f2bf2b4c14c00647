#!/usr/bin/python3
"""The koji python library's multicall floor: the writes of a generated CLI script (gen.py's
cli.sh), made with one SSL login and multicalls of BATCH calls, the API calls each CLI command
makes and nothing it reads to check first. Inheritance links need the parents' ids: those are
read in one multicall after the rest and set in one more. Runs inside a farm container:

  lib-apply.py SERVER CERT CA SCRIPT BATCH      prints: calls multicalls seconds (login included)
"""
import shlex
import sys
import time

start = time.time()
import koji  # noqa: E402  (the import is part of what a library client pays)
from koji_cli.lib import arg_filter  # noqa: E402  (how the CLI reads -x key=value)

server, cert, ca, script, batch = sys.argv[1:6]
batch = int(batch)


def options(args, flags=(), repeated=()):
    """Splits CLI arguments into positionals and --options (values kept as strings)."""
    pos, opts = [], {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and a not in flags:
            if a in repeated:
                opts.setdefault(a, []).append(args[i + 1])
            else:
                opts[a] = args[i + 1]
            i += 2
        elif a in flags:
            opts[a] = True
            i += 1
        else:
            pos.append(a)
            i += 1
    return pos, opts


calls, links = [], []
for line in open(script):
    if not line.startswith("k "):
        continue
    cmd, *args = shlex.split(line[2:])
    if cmd == "add-user":
        calls.append(("createUser", [args[0]], {}))
    elif cmd == "grant-permission":
        calls += [("grantPermission", [user, args[0]], {}) for user in args[1:]]
    elif cmd == "add-channel":
        pos, o = options(args)
        calls.append(("addChannel", [pos[0]], {"description": o.get("--description")}))
    elif cmd == "add-tag":
        pos, o = options(args, repeated=("-x",))
        extra = {k: arg_filter(v) for k, v in (x.split("=", 1) for x in o.get("-x", []))}
        kw = {"parent": o.get("--parent"), "extra": extra}
        if "--arches" in o:
            kw["arches"] = koji.parse_arches(o["--arches"])
        calls.append(("createTag", [pos[0]], kw))
    elif cmd == "add-tag-inheritance":
        pos, o = options(args, flags=("--intransitive", "--noconfig"))
        links.append((pos[0], pos[1], {
            "priority": int(o.get("--priority", 0)),
            "maxdepth": int(o["--maxdepth"]) if "--maxdepth" in o else None,
            "intransitive": bool(o.get("--intransitive")), "noconfig": bool(o.get("--noconfig")),
            "pkg_filter": o.get("--pkg-filter", ""),
        }))
    elif cmd == "add-external-repo":
        pos, o = options(args, repeated=("-t",))
        if len(pos) == 2:
            calls.append(("createExternalRepo", pos, {}))
        for t in o.get("-t", []):
            tag, priority = t.split("::")
            kw = {"merge_mode": o.get("-m", "koji")}
            if "-a" in o:
                kw["arches"] = koji.parse_arches(o["-a"])
            calls.append(("addExternalRepoToTag", [tag, pos[0], int(priority)], kw))
    elif cmd == "add-group":
        calls.append(("groupListAdd", args[:2], {}))
    elif cmd == "add-group-pkg":
        calls += [("groupPackageListAdd", [args[0], args[1], p], {}) for p in args[2:]]
    elif cmd == "add-target":
        calls.append(("createBuildTarget", args[:3], {}))
    elif cmd == "add-pkg":
        pos, o = options(args)
        calls += [("packageListAdd", [pos[0], p], {"owner": o["--owner"]}) for p in pos[1:]]
    else:
        sys.exit(f"lib-apply.py: no translation for koji {cmd}")

s = koji.ClientSession(server)
s.ssl_login(cert, None, ca)
multicalls = 0


def run(batch_calls):
    global multicalls
    with s.multicall(strict=True, batch=batch) as m:
        handles = [getattr(m, method)(*a, **kw) for method, a, kw in batch_calls]
    multicalls += -(-len(batch_calls) // batch)
    return [h.result for h in handles]


run(calls)
if links:
    names = sorted({n for child, parent, _ in links for n in (child, parent)})
    ids = dict(zip(names, (t["id"] for t in run([("getTag", [n], {"strict": True}) for n in names]))))
    run([("setInheritanceData", [ids[child], [dict(data, parent_id=ids[parent], child_id=ids[child])]], {})
         for child, parent, data in links])
print(len(calls) + len(links), multicalls, f"{time.time() - start:.3f}")
