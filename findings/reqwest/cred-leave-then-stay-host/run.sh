#!/bin/sh
# Reproduces: reqwest / cred-leave-then-stay-host (redirspec), without redirspec.
# Needs python3 and the client. Prints the server's log at the end.
cd "$(dirname "$0")" || exit 1
A_PORT=${A_PORT:-18471} B_PORT=${B_PORT:-18472} FTP_PORT=${FTP_PORT:-18473}
export A_PORT B_PORT FTP_PORT
python3 server.py > server.log 2>&1 &
SERVER=$!
i=0
while ! grep -q '^ready' server.log 2>/dev/null; do
    i=$((i + 1)); [ "$i" -gt 100 ] && break; sleep 0.1
done
'cargo' 'build' '--quiet' '--manifest-path' 'Cargo.toml' || exit 1
timeout 20 'cargo' 'run' '--quiet' '--manifest-path' 'Cargo.toml'
echo "client exit status: $?"
sleep 0.5
kill "$SERVER" 2>/dev/null
wait "$SERVER" 2>/dev/null
cat server.log
