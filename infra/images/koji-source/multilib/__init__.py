# Stand-in for python-multilib, which Debian does not package. See multilib.py.
