#!/usr/bin/env bash
# `npm run test:ha` (docs/ha.md): runs scripts/ha/run.js, and whatever happens to it, kills every process
# it recorded and every PostgreSQL server of its work folder on the way out.
set -uo pipefail
cd "$(dirname "$0")/../.."
record=$(mktemp)
cleanup() {
  while read -r kind value; do
    case "$kind" in
      pid) kill -KILL -- "-$value" 2>/dev/null || kill -KILL "$value" 2>/dev/null ;;
      dir)
        for f in "$value"/*/data/postmaster.pid "$value"/single/data/postmaster.pid; do
          [ -f "$f" ] && kill -KILL "$(head -n 1 "$f")" 2>/dev/null
        done
        rm -rf "$value"
        ;;
    esac
  done <"$record"
  rm -f "$record"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
CXAUTH_HA_RECORD="$record" node scripts/ha/run.js
