"""The package docstring's map of stages names every module of the package, and only those."""

import pkgutil
import re

import govtag


def test_the_package_map_names_every_module_once():
    modules = {m.name for m in pkgutil.iter_modules(govtag.__path__)}
    named = re.findall(r"``(\w+)``", govtag.__doc__)
    stage_names = [n for n in named if n in modules]
    assert sorted(stage_names) == sorted(modules)
    assert len(stage_names) == len(set(stage_names))
