#!/usr/bin/env bash
# Step 04's server holds 10,000 idle connections on its one thread and still echoes a new client.
# A demonstration, not a unit test. Run it from any folder:  step04-multi-client/scripts/idle-10k.sh [COUNT]
# Needs Linux (/proc) and a JDK 17+ with jcmd. Takes about half a minute; always stops what it starts.
set -euo pipefail
COUNT="${1:-10000}"
cd "$(dirname "$0")/.."   # the step's folder (the project's folder, in a copy of the step on its own)

# The Maven Wrapper beside the step (an exported copy), or the tutorial's one folder up, or Maven.
if [ -x ./mvnw ]; then MAVEN=./mvnw; elif [ -x ../mvnw ]; then MAVEN=../mvnw; else MAVEN=mvn; fi

# Every connection is a file descriptor, in the server and in the client process alike.
# The server keeps 32 of its own for the JVM (its --max-connections default stays below the limit).
NEEDED=$((COUNT + 200))
BEFORE="$(ulimit -n)"
if [ "$BEFORE" != unlimited ] && [ "$BEFORE" -lt "$NEEDED" ]; then
  ulimit -n "$NEEDED" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  if [ "$(ulimit -n)" != "$BEFORE" ]; then
    echo "raised the open-files limit (ulimit -n) from $BEFORE to $(ulimit -n)"
  fi
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$NEEDED" ]; then
  echo "ulimit -n is $(ulimit -n) (hard limit $(ulimit -Hn)), below the $NEEDED needed: ask for a higher hard limit, or run: $0 $(( $(ulimit -n) - 200 ))" >&2
  exit 1
fi

"$MAVEN" -q compile
LOG="$(mktemp)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -f "$LOG"
}
trap cleanup EXIT

# Port 0: any free port; the server says which in its first line.
java -cp target/classes tutorial.step04.EchoServer 127.0.0.1 0 >"$LOG" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q '^Listening on' "$LOG" && break; sleep 0.1; done
PORT="$(sed -n 's/^Listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$LOG")"
[ -n "$PORT" ] || { echo "the server did not start" >&2; exit 1; }
echo "server: pid $SERVER_PID, $(head -1 "$LOG")"

timeout 180 java scripts/IdleConnections.java 127.0.0.1 "$PORT" "$COUNT" "$SERVER_PID"

for _ in $(seq 100); do
  [ "$(grep -c ' closed$' "$LOG")" -ge "$COUNT" ] && break; sleep 0.1
done
echo "server log: $(grep -c '^Got connection from' "$LOG") connections accepted, $(grep -c ' closed$' "$LOG") closed, $(grep -c ' lost: ' "$LOG" || true) lost"
echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1)"
