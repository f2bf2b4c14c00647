"""Stand-in for python-multilib's ``multilib.multilib`` module.

kojid imports it at start (``from multilib import multilib``), so without some module of
that name the builder does not start at all. Koji 1.35 uses it in exactly one place:
``DistRepoTask.do_multilib()``, which runs only for dist-repo tasks whose ``multilib``
option is set (``koji dist-repo --multilib=...``). Ordinary build, createrepo and newRepo
tasks never touch it.

This image has no python-multilib, so such a task fails with the message below instead of
the builder failing to start. Use the Fedora-based image (koji-packages) where multilib
dist repos are needed.
"""


class _MultilibUnavailable(RuntimeError):
    pass


def _unavailable(*_args, **_kwargs):
    raise _MultilibUnavailable(
        "multilib dist repos are not supported on this builder: python-multilib is not "
        "installed (Debian-based koji-farm image); use the Fedora-based image for them")


class MultilibMethod(object):
    def __init__(self, *args, **kwargs):
        _unavailable()


class DevelMultilibMethod(MultilibMethod):
    pass


class RuntimeMultilibMethod(MultilibMethod):
    pass


class AllMultilibMethod(MultilibMethod):
    pass


class NoMultilibMethod(MultilibMethod):
    pass


class KernelMultilibMethod(MultilibMethod):
    pass


class YabootMultilibMethod(MultilibMethod):
    pass
