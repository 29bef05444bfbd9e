#!/usr/bin/env python3
"""Prints a short account of a Playwright run from its log: each failed or flaky test
with the first lines of its error, then the counts. scripts/e2e.sh prints it last, so
the end of a long CI log says what failed without the rest of it."""
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HEADER = re.compile(r"^\s{2}(\d+)\) (\[.+)$")
COUNT = re.compile(r"^\s{2}\d+ (failed|flaky|passed|skipped|did not run|interrupted)")


def main(path: str) -> None:
    with open(path, encoding="utf-8", errors="replace") as log:
        lines = [ANSI.sub("", line.rstrip("\n")).replace("\r", "") for line in log]
    out = []
    i = 0
    while i < len(lines):
        header = HEADER.match(lines[i])
        if header:
            title = header.group(2).rstrip(" ─")
            details = []
            j = i + 1
            while j < len(lines) and not HEADER.match(lines[j]) and not COUNT.match(lines[j]) and len(details) < 5:
                text = lines[j].strip()
                if text and not text.startswith(("Retry #", "at ", "attachment #", "─", "Usage:")):
                    details.append(text[:200])
                j += 1
            out.append(f"{header.group(1)}) {title}")
            out.extend(f"     {d}" for d in details)
            i = j
            continue
        i += 1
    counts = [line.strip() for line in lines if COUNT.match(line)]
    if not out and not counts:
        return
    print("---- e2e summary ----")
    print("\n".join(out[-30:]))
    print(" · ".join(counts))


if __name__ == "__main__":
    main(sys.argv[1])
