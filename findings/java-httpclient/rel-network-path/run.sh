#!/bin/sh
# Reproduces: java-httpclient / rel-network-path (redirspec), without redirspec.
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
'javac' '-J-XX:TieredStopAtLevel=1' '-J-XX:+UseSerialGC' '-d' '.' 'Fetch.java' || exit 1
timeout 20 'java' '-cp' '.' 'Fetch' 'GET' 'http://127.0.0.1:'"$A_PORT"'/base/dir/page?q=1' '' 'headers.txt'
echo "client exit status: $?"
sleep 0.5
kill "$SERVER" 2>/dev/null
wait "$SERVER" 2>/dev/null
cat server.log
