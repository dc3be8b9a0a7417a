#!/usr/bin/env bash
# The script clients of the live matrix that a fresh machine may lack: perl's LWP
# (Debian libwww-perl; HTTP::Tiny ships with perl) and python's urllib3 and requests (pip).
# Idempotent, bounded by `timeout`, never fatal: what cannot be installed is named, and its
# live rows are skipped with a note (under CI=true the live tests then fail, as they should).
set -uo pipefail

if perl -MLWP::UserAgent -e1 2>/dev/null; then
    echo "perl LWP already installed"
elif command -v apt-get >/dev/null 2>&1; then
    log=/tmp/redirspec-apt-clients.log
    if timeout 600 bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libwww-perl" >"$log" 2>&1; then
        echo "installed: libwww-perl"
    else
        echo "NOTE: could not install libwww-perl (tail of $log below); the perl-lwp rows are skipped"
        tail -n 5 "$log" || true
    fi
else
    echo "NOTE: no apt-get; perl LWP missing: the perl-lwp rows are skipped"
fi
perl -MLWP::UserAgent -e 'print "perl LWP $LWP::UserAgent::VERSION\n"' 2>/dev/null || true

if python3 -c 'import urllib3, requests' 2>/dev/null; then
    echo "python urllib3 and requests already installed"
elif ! timeout 300 python3 -m pip install -q urllib3 requests >/tmp/redirspec-pip-clients.log 2>&1; then
    echo "NOTE: could not pip-install urllib3/requests; their rows are skipped"
    tail -n 5 /tmp/redirspec-pip-clients.log || true
fi
python3 -c 'import urllib3, requests; print("python urllib3", urllib3.__version__, "requests", requests.__version__)' 2>/dev/null || true
exit 0
