#!/usr/bin/env bash
# The reference test against SimpleSAMLphp (docs/sso.md): installs the Debian packages it needs when they
# are missing (apt-get, as root; as any other user they must be there already), then runs the tests of
# packages/server/test-reference, which start SimpleSAMLphp on a private loopback port and stop it.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
[ -d /usr/share/simplesamlphp/www ] || missing+=(simplesamlphp)
command -v php >/dev/null 2>&1 || missing+=(php-cli)
php -m 2>/dev/null | grep -qx 'xml' || missing+=(php-xml)
php -m 2>/dev/null | grep -qx 'mbstring' || missing+=(php-mbstring)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (install them, or run as root)" >&2
    exit 1
  fi
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
fi
exec npx vitest run --config vitest.reference.config.ts
