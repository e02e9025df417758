#!/usr/bin/env bash
# Provision a Debian 12 (bookworm) host for Strata: PostgreSQL 15 running,
# pgvector available, Debian's chromium installed. Idempotent; run as root.
set -euo pipefail

PG_MAJOR=15
PG_CLUSTER=main
PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
PG_CONFIG=/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config
SRC_LIST=/etc/apt/sources.list.d/strata-trixie-src.sources
CHECK_DB=strata_provision_check

export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp /tmp/strata-provision.XXXXXX.log)
APT=(apt-get -qq -o DPkg::Lock::Timeout=300)

say() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command with its output going to the log; show the log tail if it fails.
logged() {
  echo "+ $*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    printf 'ERROR: command failed: %s\n--- last lines of %s ---\n' "$*" "$LOG" >&2
    tail -n 40 "$LOG" >&2
    exit 1
  fi
}

# A broken third-party repo should not block us, so update errors are only a
# warning; the installs that follow are the real check. Done at most once.
APT_UPDATED= KEEP_LOG=
apt_update() {
  [[ -z $APT_UPDATED ]] || return 0
  if ! "${APT[@]}" update >>"$LOG" 2>&1; then
    echo "    warning: apt-get update reported errors (see ${LOG}); continuing"
    KEEP_LOG=1
  fi
  APT_UPDATED=1
}

psql_q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$@"; }

[[ $(id -u) -eq 0 ]] || die "must run as root"

# --- PostgreSQL ------------------------------------------------------------
status=$(pg_lsclusters -h "$PG_MAJOR" "$PG_CLUSTER" 2>/dev/null | awk '{print $4}') \
  || die "PostgreSQL ${PG_MAJOR}/${PG_CLUSTER} cluster not found"
[[ -n $status ]] || die "PostgreSQL ${PG_MAJOR}/${PG_CLUSTER} cluster not found"
if [[ $status == online* ]]; then
  say "postgresql: cluster ${PG_MAJOR}/${PG_CLUSTER} already running"
else
  say "postgresql: starting cluster ${PG_MAJOR}/${PG_CLUSTER} (was ${status})"
  # No systemd in containers, so bypass the systemctl redirect.
  logged pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" "$PG_CLUSTER" start
fi
for _ in $(seq 1 60); do
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break
  sleep 0.5
done
pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || die "PostgreSQL not accepting connections on ${PG_HOST}:${PG_PORT}"

# --- pgvector --------------------------------------------------------------
vector_version() {
  psql_q -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name='vector'"
}

# Print the URI of the main Debian archive for this release, taken from the
# existing apt sources, so the script follows whatever mirror the host uses.
# Matching suite == codename (exact) and component "main" skips -security,
# -updates-only entries and third-party repos (nodistro, cloud-sdk-*, ...).
debian_mirror() {
  local codename=$1 f
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f $f && $f != "$SRC_LIST" ]] || continue
      awk -v cn="$codename" '
        function flush() {
          if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no" &&
              (" " suites " ") ~ (" " cn " ") && (" " comps " ") ~ / main /) {
            n = split(uris, u, " ")
            for (i = 1; i <= n; i++) if (u[i] !~ /security/) print u[i]
          }
          types = uris = suites = comps = enabled = ""; last = ""
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        /^[ \t]/ {   # continuation line of a multi-line field
          if (last == "uris") uris = uris " " $0
          else if (last == "suites") suites = suites " " $0
          else if (last == "comps") comps = comps " " $0
          next
        }
        {
          key = tolower($0); sub(/:.*/, "", key)
          val = $0; sub(/^[^:]*:[ \t]*/, "", val)
          if (key == "types") { types = val; last = "" }
          else if (key == "uris") { uris = val; last = "uris" }
          else if (key == "suites") { suites = val; last = "suites" }
          else if (key == "components") { comps = val; last = "comps" }
          else if (key == "enabled") { enabled = val; last = "" }
          else last = ""
        }
        END { flush() }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f $f ]] || continue
      awk -v cn="$codename" '
        $1 != "deb" { next }
        {
          sub(/\[[^]]*\]/, "")   # drop [arch=... signed-by=...] options
          if ($3 != cn || $2 ~ /security/) next
          for (i = 4; i <= NF; i++) if ($i == "main") { print $2; next }
        }' "$f"
    done
  } | head -n 1
}

vver=$(vector_version)
if [[ -n $vver ]]; then
  say "pgvector: already available (${vver})"
else
  say "pgvector: building from Debian trixie source"
  t0=$(date +%s)
  . /etc/os-release
  mirror=$(debian_mirror "${VERSION_CODENAME:-bookworm}")
  [[ -n $mirror ]] || die "could not find the Debian archive URI in /etc/apt/sources*"
  echo "    mirror: ${mirror}"

  # Source-only entry: trixie binaries never become installable candidates.
  new_list="Types: deb-src
URIs: ${mirror}
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"
  if [[ ! -f $SRC_LIST ]] || [[ $(cat "$SRC_LIST") != "${new_list%$'\n'}" ]]; then
    printf '%s' "$new_list" >"$SRC_LIST"
  fi

  # Build deps come from bookworm (the trixie entry is deb-src only).
  apt_update
  logged "${APT[@]}" install -y --no-install-recommends \
    "postgresql-server-dev-${PG_MAJOR}" build-essential dpkg-dev

  work=$(mktemp -d /tmp/strata-pgvector.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  chmod 755 "$work"   # apt's _apt download sandbox must be able to write here
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  # Fetch the source with only the trixie entry and private lists/cache dirs:
  # an update with a narrowed source list would otherwise delete the host's
  # other index files, and it sidesteps unrelated repos entirely.
  ISO=(-o Dir::Etc::sourcelist="$SRC_LIST" -o Dir::Etc::sourceparts=-
       -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache")
  logged "${APT[@]}" "${ISO[@]}" update
  (cd "$work" && logged "${APT[@]}" "${ISO[@]}" source --download-only pgvector)
  dsc=$(ls "$work"/pgvector_*.dsc)
  (cd "$work" && logged dpkg-source -x "$dsc" src)

  # OPTFLAGS= drops pgvector's default -march=native so the library doesn't
  # depend on this particular CPU (matters if the machine image is reused).
  logged make -C "$work/src" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" OPTFLAGS=
  logged make -C "$work/src" install PG_CONFIG="$PG_CONFIG" OPTFLAGS=

  vver=$(vector_version)
  [[ -n $vver ]] || die "pgvector installed but not listed in pg_available_extensions"

  psql_q -d postgres -c "DROP DATABASE IF EXISTS ${CHECK_DB}"
  psql_q -d postgres -c "CREATE DATABASE ${CHECK_DB}"
  got=$(psql_q -d "$CHECK_DB" -c "CREATE EXTENSION vector" \
          -c "SELECT extversion FROM pg_extension WHERE extname='vector'" \
          -c "SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector" | tr '\n' ' ')
  psql_q -d postgres -c "DROP DATABASE ${CHECK_DB}"
  echo "    CREATE EXTENSION vector ok (extversion, distance check: ${got% })"
  say "pgvector: installed ${vver} from $(basename "$dsc" .dsc) in $(( $(date +%s) - t0 ))s"
fi

# --- Chromium --------------------------------------------------------------
if [[ -x /usr/bin/chromium ]]; then
  say "chromium: already installed"
else
  say "chromium: installing Debian package"
  apt_update
  # Without recommends: the browser and fonts are all the tests need (recommends pull ~120 packages).
  logged "${APT[@]}" install -y --no-install-recommends chromium fonts-liberation fonts-dejavu-core
fi
echo "    $(chromium --version 2>/dev/null)"

[[ -n $KEEP_LOG ]] || rm -f "$LOG"
