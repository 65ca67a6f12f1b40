#!/usr/bin/env bash
# Installs hw1-grader where Gradescope builds the autograder image (Ubuntu 22.04), or on any Linux with bash.
# Gradescope runs it once, as root, with this folder unpacked at /autograder/source.
#
# Optional settings (environment variables):
#   HW1_PYTHON           a Python >= 3.11 to build the venv from (default: python3.12, python3.11 or python3,
#                        the first that is >= 3.11; on Ubuntu 22.04 python3.11 is installed with apt)
#   HW1_VENV             where the venv goes (default: /autograder/venv; run_autograder reads the same variable)
#   HW1_TORCH_INDEX_URL  the package index of the CPU build of torch (default: https://download.pytorch.org/whl/cpu;
#                        set it to the empty string to use pip's own configuration, e.g. a local wheel or mirror)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${HW1_VENV:-/autograder/venv}"
TORCH="@TORCH_REQUIREMENT@"
EXTRA=(@EXTRA_PACKAGES@)  # the rubric's [packages] install: what the course lets its students use
TORCH_INDEX_URL="${HW1_TORCH_INDEX_URL-https://download.pytorch.org/whl/cpu}"
ROOT_USER=0
[ "$(id -u)" = 0 ] && ROOT_USER=1

new_enough() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }
apt_install() {
  if [ "$ROOT_USER" = 1 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" \
      || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; }
  else
    return 1
  fi
}

PY="${HW1_PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null && new_enough "$candidate"; then PY="$candidate"; break; fi
  done
fi
if [ -z "$PY" ]; then
  apt_install python3.11 python3.11-venv && PY=python3.11
fi
if [ -z "$PY" ] || ! new_enough "$PY"; then
  echo "setup.sh: hw1-grader needs Python >= 3.11; install one or set HW1_PYTHON to it" >&2
  exit 1
fi
echo "setup.sh: Python $("$PY" -c 'import sys; print(sys.version.split()[0])') -> venv $VENV"

if ! "$PY" -m venv "$VENV"; then  # Debian and Ubuntu ship venv (ensurepip) separately
  apt_install "$(basename "$PY")-venv" || apt_install python3-venv
  "$PY" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip install --no-input)

if [ -n "$TORCH_INDEX_URL" ]; then
  "${PIP[@]}" "$TORCH" --index-url "$TORCH_INDEX_URL"
else
  "${PIP[@]}" "$TORCH"
fi
"${PIP[@]}" "$HERE/hw1-grader"
if [ "${#EXTRA[@]}" -gt 0 ]; then
  echo "setup.sh: the rubric's extra packages: ${EXTRA[*]}"
  "${PIP[@]}" "${EXTRA[@]}"
fi

if [ "$ROOT_USER" = 1 ]; then
  # Students' code runs as this unprivileged user (the grader would create it too).
  id hw1-sandbox >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin hw1-sandbox
  # Keep the rubric, the hidden-case salt and the reference solution out of that user's reach.
  chmod -R go-rwx "$HERE"
  SITE="$(cd / && "$VENV/bin/python" -I -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  if [ -d "$SITE/reference" ]; then chmod -R go-rwx "$SITE/reference"; fi
fi
"$VENV/bin/hw1-grader" --version
echo "setup.sh: done"
