#!/usr/bin/env bash
# The install archive as a person with only a Java runtime meets it: target/graft-VERSION.tar.gz unpacked into an
# empty folder and run with a PATH that holds a JRE (jlinked here from the build's JDK: no javac, no jlink) and
# coreutils only, an empty HOME, no Maven and no source tree. Runs `bin/graft demo`, then `bin/graft serve`: start,
# GET /health, GET /runs, a file drop trained to the end and listed by /runs as succeeded, stop (SIGTERM, exit 0).
# Usage: scripts/check-dist.sh [ARCHIVE]   (about 2-3 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
archive="${1:-$(ls "$root"/target/graft-*.tar.gz 2>/dev/null | head -1)}"
[ -f "$archive" ] || { echo "check-dist: no archive '$archive'; expected target/graft-VERSION.tar.gz (mvn -B package)" >&2; exit 2; }
work="$(mktemp -d /tmp/graft-dist-check.XXXXXX)"
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then kill -KILL "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-dist: FAILED: $*" >&2; for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -40 "$f" >&2; }; done; exit 1; }

echo "check-dist: $archive ($(du -h "$archive" | cut -f1))"
mkdir -p "$work/unpacked" "$work/home" "$work/path"
tar -xzf "$archive" -C "$work/unpacked"
install="$(ls -d "$work"/unpacked/graft-*/ | head -1)"
for d in bin/graft lib routes plugins monitoring; do [ -e "$install/$d" ] || fail "the archive has no $d"; done
ls "$install"/lib | grep -qE '^nd4j-native-[0-9].*-linux-x86_64\.jar$' && fail "the plain linux-x86_64 ND4J natives are shipped beside the oneDNN ones"
[ -d "$install/lib/sqlite-jdbc/org/sqlite/native/Mac" ] && fail "sqlite-jdbc's macOS natives are shipped"

# A Java runtime without the compiler: the modules of Java SE plus what Graft's libraries use.
jdk="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
"$jdk/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.incubator.vector,jdk.httpserver,jdk.management,jdk.crypto.ec,jdk.zipfs,jdk.naming.dns \
  --strip-debug --no-man-pages --no-header-files --output "$work/jre"
# coreutils only, besides the JRE
for f in $(dpkg -L coreutils 2>/dev/null | grep -E '^(/usr)?/bin/[^/]+$'); do ln -sf "$f" "$work/path/"; done
path="$work/jre/bin:$work/path"
run() { (cd "$install" && env -i HOME="$work/home" PATH="$path" GRAFT_JAVA_OPTS="-Xmx2g" /bin/bash "$@"); }
if run -c 'command -v javac || command -v mvn || command -v jlink' >/dev/null; then fail "the PATH reaches a JDK tool or Maven"; fi

echo "check-dist: bin/graft demo"
run bin/graft demo > "$work/demo.log" 2>&1 || fail "bin/graft demo exited $?"
grep -q 'route fashion-transfer finished in .*test accuracy' "$work/demo.log" || fail "the demo printed no test accuracy"
grep -o 'test accuracy [0-9.]* ([A-Z]*)' "$work/demo.log" | tail -1 | sed 's/^/check-dist: demo /'

echo "check-dist: bin/graft serve"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$install/serve-routes" "$install/inbox"
cp "$install/routes/retrain-on-drop.yaml" "$install/serve-routes/"
(cd "$install" && exec env -i HOME="$work/home" PATH="$path" GRAFT_JAVA_OPTS="-Xmx2g" /bin/bash bin/graft serve \
  --routes serve-routes --registry registry --state state --port "$port" -p graft.inbox=inbox) > "$work/serve.log" 2>&1 &
serve_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  curl -fsS "$base/health" > "$work/health.json" 2>/dev/null && break
  kill -0 "$serve_pid" 2>/dev/null || fail "graft serve exited before answering /health"
  sleep 1
done
[ -s "$work/health.json" ] || fail "graft serve did not answer /health within 120 s"
echo "check-dist: /health $(head -c 200 "$work/health.json")"
curl -fsS "$base/runs" > "$work/runs.json" || fail "GET /runs failed"
(cd "$install" && unzip -p lib/camel-graft-[0-9]*.jar datasets/fashion-mnist-sample.zip > inbox/.drop.tmp && mv inbox/.drop.tmp inbox/drop.zip)
for _ in $(seq 1 300); do
  curl -fsS "$base/runs" > "$work/runs.json" 2>/dev/null || true
  grep -q '"status" *: *"\(succeeded\|failed\)"' "$work/runs.json" && break
  sleep 1
done
grep -q '"status" *: *"succeeded"' "$work/runs.json" || fail "the drop's run did not succeed within 300 s: $(head -c 600 "$work/runs.json")"
echo "check-dist: /runs lists the drop's run as succeeded"
kill -TERM "$serve_pid"
wait "$serve_pid" && code=0 || code=$?
serve_pid=""
[ "$code" -eq 0 ] || [ "$code" -eq 143 ] || fail "graft serve exited $code on SIGTERM"
echo "check-dist: OK (demo and serve from the archive with only a JRE on the PATH)"
