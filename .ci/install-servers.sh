#!/usr/bin/env bash
# Real servers for cli/tests/server_real.rs: nginx and Apache (Debian packages),
# Django (pip; Flask too if absent), Express (npm, global). Idempotent: what is
# present is not installed again. Every step is bounded by `timeout`; a step
# that fails prints a visible note and the rest goes on (the test then skips
# that server with a note, and fails under CI=true for a server this script
# installs: see SERVERS in cli/tests/server_real.rs).
set -uo pipefail
note() { echo "install-servers: $*"; }
export DEBIAN_FRONTEND=noninteractive

apt_pkgs=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || apt_pkgs+=(nginx-light)
command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ] || apt_pkgs+=(apache2)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1; then
        # The packages' own services are not started: policy-rc.d says no.
        if [ -d /usr/sbin ] && [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
            trap 'rm -f /usr/sbin/policy-rc.d' EXIT
        fi
        if timeout 600 bash -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 ${apt_pkgs[*]}" >/tmp/redirspec-apt-servers.log 2>&1; then
            note "installed ${apt_pkgs[*]}"
        else
            note "NOT installed: ${apt_pkgs[*]} (tail of the apt log below); their tests are skipped"
            tail -n 5 /tmp/redirspec-apt-servers.log || true
        fi
    else
        note "no apt-get: nginx and apache2 are skipped"
    fi
fi

py_pkgs=()
python3 -c 'import django' >/dev/null 2>&1 || py_pkgs+=('django>=4.2,<6')
python3 -c 'import flask' >/dev/null 2>&1 || py_pkgs+=('flask>=3,<4')
if [ ${#py_pkgs[@]} -gt 0 ]; then
    if timeout 300 python3 -m pip install -q --disable-pip-version-check "${py_pkgs[@]}" >/tmp/redirspec-pip-servers.log 2>&1 \
        || timeout 300 python3 -m pip install -q --disable-pip-version-check --break-system-packages "${py_pkgs[@]}" >>/tmp/redirspec-pip-servers.log 2>&1; then
        note "installed ${py_pkgs[*]}"
    else
        note "NOT installed: ${py_pkgs[*]} (tail of the pip log below); their tests are skipped"
        tail -n 5 /tmp/redirspec-pip-servers.log || true
    fi
fi

if command -v npm >/dev/null 2>&1; then
    if ! NODE_PATH="$(npm root -g 2>/dev/null)" node -e 'require("express")' >/dev/null 2>&1; then
        if timeout 300 npm install -g --silent --no-audit --no-fund 'express@4' >/tmp/redirspec-npm-servers.log 2>&1; then
            note "installed express (global)"
        else
            note "NOT installed: express (tail of the npm log below); its test is skipped"
            tail -n 5 /tmp/redirspec-npm-servers.log || true
        fi
    fi
else
    note "no npm: express is skipped"
fi
exit 0
