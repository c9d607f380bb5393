#!/usr/bin/python3
"""check-layers.py: the folders of src/ are layers; this checks, from the
#include lines alone, that every file calls only its own folder and the
folders below it (src/README.md draws them), that no header includes
itself again through others (a circle), and that include/gazette/ holds
only headers that cross folders.  Exit status 1 with one line per
finding; run by scripts/test.sh and `meson test check-layers`.

    scripts/check-layers.py [ROOT]      # ROOT: the checkout (default: ..)
"""

import re
import sys
from pathlib import Path

# Each folder and the folders it may include from (besides its own).
# Keep in step with src/README.md.
ALLOWED = {
    "base": set(),
    "content": {"base"},
    "store": {"base", "content"},
    "import": {"base", "content", "store"},
    "http": {"base", "content", "store"},
    "site": {"base", "content", "store", "http"},
    "cmd": {"base", "content", "store", "import", "http", "site"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
    src, pub = root / "src", root / "include" / "gazette"
    findings = []
    files = {}  # path -> (folder, [included paths])

    def resolve(path, name):
        """The file an #include "name" in path means, or None."""
        if name.startswith("gazette/"):
            target = root / "include" / name
        else:
            target = path.parent / name
        return target if target.exists() else None

    for folder in sorted(p.name for p in src.iterdir() if p.is_dir()):
        if folder not in ALLOWED:
            findings.append(f"src/{folder}/: a folder that is no layer (add it to ALLOWED "
                            f"here and to src/README.md)")
            continue
        if not (src / folder / "README.md").exists():
            findings.append(f"src/{folder}/: no README.md saying what lives there")
        for path in sorted([*(src / folder).glob("*.[ch]"), *(pub / folder).glob("*.h")]):
            names = INCLUDE.findall(path.read_text(errors="replace"))
            files[path] = (folder, [])
            rel = path.relative_to(root)
            for name in names:
                target = resolve(path, name)
                if target is None:
                    findings.append(f"{rel}: #include \"{name}\": no such file")
                    continue
                files[path][1].append(target)
                if name.startswith("gazette/"):
                    to = name.split("/")[1]
                    if to != folder and to not in ALLOWED[folder]:
                        findings.append(f"{rel}: #include \"{name}\": {folder}/ may not call "
                                        f"{to}/ (it may call: "
                                        f"{', '.join(sorted(ALLOWED[folder])) or 'nothing'})")
                elif target.parent != path.parent:
                    findings.append(f"{rel}: #include \"{name}\": a private header of another "
                                    f"folder")

    for stray in sorted([*src.glob("*.[ch]"), *pub.glob("*.h")]):
        findings.append(f"{stray.relative_to(root)}: every file lives in a layer's folder")

    # A header of include/gazette/FOLDER/ is there because another folder (or
    # a test, which stands outside every layer) uses it.
    tests = [p for p in sorted((root / "tests").rglob("*.[ch]"))]
    tested = {resolve(p, n) for p in tests for n in INCLUDE.findall(p.read_text(errors="replace"))
              if n.startswith("gazette/")}
    for header in sorted(pub.glob("*/*.h")):
        folder = header.parent.name
        users = [p for p, (f, targets) in files.items() if f != folder and header in targets]
        users += [header] if header in tested else []
        if not users:
            findings.append(f"{header.relative_to(root)}: no other folder includes it; it "
                            f"belongs in src/{folder}/")

    # Circles among the files' includes.
    state = {}

    def visit(path, stack):
        state[path] = "open"
        for target in files.get(path, (None, []))[1]:
            if state.get(target) == "open":
                circle = stack[stack.index(target):] + [target]
                findings.append("include circle: " + " -> ".join(
                    str(p.relative_to(root)) for p in circle))
            elif target not in state:
                visit(target, stack + [target])
        state[path] = "done"

    for path in sorted(files):
        if path not in state:
            visit(path, [path])

    for f in findings:
        print(f)
    print(f"check-layers: {len(files)} files in {len(ALLOWED)} layers, "
          f"{len(findings)} finding{'s' if len(findings) != 1 else ''}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
