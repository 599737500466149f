#!/usr/bin/env bash
# Installs what the build, the sample and the tests need on a fresh machine. Idempotent: it only
# installs what is missing. Runs as root in CI; elsewhere it says what to install instead.
set -euo pipefail

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: '$1' is missing; install it (as root: $2) and run again." >&2
    exit 1
  fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# .NET SDK 10.0.4xx (global.json rolls forward to the newest 10.0 feature band present).
if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks | grep -q '^10\.0\.'; then
  need_root "the .NET 10 SDK" "see https://learn.microsoft.com/dotnet/core/install/linux-debian"
  curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh
  bash /tmp/dotnet-install.sh --channel 10.0 --install-dir /usr/share/dotnet
  ln -sf /usr/share/dotnet/dotnet /usr/local/bin/dotnet
fi

dotnet --version >/dev/null
echo "setup: .NET SDK $(dotnet --version) ready"

# Headless Chromium renders the simulation's HTML report in a test (Debian's package).
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then
  need_root "chromium" "apt-get install -y chromium"
  apt_install chromium
fi
echo "setup: chromium ready"

# PostgreSQL server binaries: the AgentQuotas.Postgres tests start a throwaway cluster (initdb + pg_ctl on a
# free loopback port, removed afterwards). Installed only when no initdb is present.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_root "the PostgreSQL server binaries (initdb, pg_ctl)" "apt-get install -y postgresql"
  apt_install postgresql
fi
echo "setup: PostgreSQL $(ls -d /usr/lib/postgresql/*/bin/initdb | head -n1 | cut -d/ -f5) binaries ready"
