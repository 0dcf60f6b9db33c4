"""Compares two identity_check.sh folders: every metrics.json leaf and every predict file byte."""
import json
import sys
from pathlib import Path


def leaves(obj, prefix=""):
    """Yields (path, value) for every leaf of a JSON value."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from leaves(value, f"{prefix}/{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from leaves(value, f"{prefix}[{i}]")
    else:
        yield prefix, obj


def main(before, after):
    """Prints every difference; exit 1 if any."""
    a, b = Path(before), Path(after)
    diffs = 0
    names = sorted({p.relative_to(a) for p in a.rglob("*") if p.is_file()}
                   | {p.relative_to(b) for p in b.rglob("*") if p.is_file()})
    for name in names:
        pa, pb = a / name, b / name
        if not pa.exists() or not pb.exists():
            print(f"only in one: {name}")
            diffs += 1
        elif name.name == "metrics.json":
            la = dict(leaves(json.loads(pa.read_text())))
            lb = dict(leaves(json.loads(pb.read_text())))
            for key in sorted(set(la) | set(lb)):
                if la.get(key, "<missing>") != lb.get(key, "<missing>"):
                    print(f"{name}{key}: {la.get(key, '<missing>')} != {lb.get(key, '<missing>')}")
                    diffs += 1
        elif pa.read_bytes() != pb.read_bytes():
            print(f"differs: {name}")
            diffs += 1
    print(f"{len(names)} files, {diffs} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
