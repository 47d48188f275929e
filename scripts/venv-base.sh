#!/usr/bin/env bash
# Usage: scripts/venv-base.sh VENV PYTHON
# Remove VENV when it was made from another interpreter than PYTHON, so that make builds
# it again from PYTHON (the server's unprivileged user must be able to run that one).
set -euo pipefail
venv="$1"
python="$2"
cfg="$venv/pyvenv.cfg"
[ -f "$cfg" ] || exit 0
want="$(dirname "$(readlink -f "$(command -v "$python")")")"
have="$(sed -n 's/^home = //p' "$cfg")"
have_real="$(readlink -f "$have" 2>/dev/null || echo "$have")"
if [ "$have_real" != "$want" ]; then
  echo "the venv was made from $have, not $python: making it again"
  rm -rf "$venv"
fi
