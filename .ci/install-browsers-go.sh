#!/usr/bin/env bash
# Optional clients of the live matrix from Debian's packages: Go (golang-go, for the
# go-nethttp client), headless Chromium (chromium) and Firefox ESR (firefox-esr), for the
# browser rows. Idempotent (a package already installed is not asked for again), bounded
# by `timeout`, and never fatal: what cannot be installed is named, and its live rows are
# skipped with a note.
set -uo pipefail

want=()
command -v go >/dev/null 2>&1 || want+=(golang-go)
command -v chromium >/dev/null 2>&1 || want+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || want+=(firefox-esr)

if [ "${#want[@]}" -eq 0 ]; then
    echo "go, chromium and firefox-esr already installed"
elif ! command -v apt-get >/dev/null 2>&1; then
    echo "NOTE: no apt-get; not installed: ${want[*]} (their live rows are skipped)"
else
    log=/tmp/redirspec-apt-browsers-go.log
    if timeout 900 bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${want[*]}" >"$log" 2>&1; then
        echo "installed: ${want[*]}"
    else
        echo "NOTE: could not install ${want[*]} (tail of $log below); their live rows are skipped"
        tail -n 5 "$log" || true
    fi
fi
go version 2>/dev/null || echo "NOTE: go missing: the go-nethttp rows are skipped"
chromium --version 2>/dev/null || echo "NOTE: chromium missing: its rows are skipped"
firefox-esr --version 2>/dev/null || echo "NOTE: firefox-esr missing: its rows are skipped"
exit 0
