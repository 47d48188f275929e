#!/usr/bin/env bash
# Install the Debian packages MinQing Map needs, when missing.
# Usage: scripts/system-deps.sh run|test
# As root: apt-get installs what is missing. Otherwise: prints the exact line and fails.
set -euo pipefail
purpose="${1:-run}"

need=()
if [ -z "${MINQING_DATABASE_URL:-}" ]; then
  need+=(postgresql-15-postgis-3)
fi
need+=(fonts-noto-cjk chromium)  # chromium prints briefings (PDF / PNG); tests drive it
if [ "$purpose" = "test" ]; then
  need+=(poppler-utils)
fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  need+=(python3-venv)
fi

missing=()
for pkg in "${need[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != "0" ]; then
  echo "MinQing Map needs Debian packages that are not installed. Run as root:" >&2
  echo "  apt-get update && $line" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null
echo "installed: ${missing[*]}"
