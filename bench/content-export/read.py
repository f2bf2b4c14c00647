#!/usr/bin/python3
"""The koji python library's read of what `koji-farm content export` reads, as fast as the
library goes: one session, no login, multicall batches of 100 (the figure koji-notes found
fastest). Prints the seconds from `import koji` to the last answer and the package-list entries
read, as: seconds entries

  read.py SERVER CA
"""
import sys
import time

start = time.monotonic()
import koji  # noqa: E402

server, ca = sys.argv[1:3]
s = koji.ClientSession(server, {"serverca": ca})
with s.multicall(strict=True) as m:
    tags, targets, repos, channels, perms, users = (m.listTags(), m.getBuildTargets(), m.listExternalRepos(),
                                                    m.listChannels(), m.getAllPerms(), m.listUsers())
names = [t["name"] for t in tags.result]
with s.multicall(strict=True, batch=100) as m:
    user_perms = [m.getUserPerms(u["name"]) for u in users.result]
    detail = [(m.getTag(t), m.getInheritanceData(t), m.getTagExternalRepos(t), m.getTagGroups(t, incl_blocked=True),
               m.listPackages(tagID=t, inherited=True)) for t in names]
entries = sum(len(d[4].result) for d in detail)
print(f"{time.monotonic() - start:.3f} {entries}")
