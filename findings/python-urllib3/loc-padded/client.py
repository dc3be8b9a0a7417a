"""redirspec live adapter for python's urllib.request, urllib3 and requests.

Usage: python3 client.py urllib|urllib3|requests METHOD URL BODY_FILE|"" HEADERS_JSON_FILE [COUNT]
COUNT (default 1): the request is sent that many times in a row through one client object
(one opener, one PoolManager, one Session).
Prints the delivered status on stdout and exits 0; prints the error on stderr and exits 1.
"""
import json
import sys


def run_urllib(method, url, body, headers, count):
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    status = None
    for _ in range(count):
        status = urllib_once(opener, method, url, body, headers)
    return status


def urllib_once(opener, method, url, body, headers):
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=body, headers=dict(headers), method=method)
    try:
        with opener.open(req, timeout=30) as res:
            res.read()
            return res.status
    except urllib.error.HTTPError as e:
        # urlopen raises for every non-2xx response it delivers; a 3xx it would not follow
        # is still a delivered response. Its loop guard is an error, not a delivery.
        if "infinite loop" in str(e.msg) or "redirect error" in str(e.msg):
            raise
        return e.code


def run_urllib3(method, url, body, headers, count):
    import urllib3

    http = urllib3.PoolManager()
    status = None
    for _ in range(count):
        res = http.request(method, url, body=body, headers=dict(headers), timeout=30, redirect=True)
        status = res.status
    return status


def run_requests(method, url, body, headers, count):
    import requests

    with requests.Session() as s:
        s.trust_env = False
        status = None
        for _ in range(count):
            res = s.request(method, url, data=body, headers=dict(headers), timeout=30)
            status = res.status_code
        return status


def main():
    flavour, method, url, body_file, headers_file = sys.argv[1:6]
    count = int(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[6] in ("1", "2", "3", "4", "5") else 1
    with open(headers_file, "r", encoding="utf-8") as f:
        headers = json.load(f)
    body = None
    if body_file:
        with open(body_file, "rb") as f:
            body = f.read()
    run = {"urllib": run_urllib, "urllib3": run_urllib3}.get(flavour, run_requests)
    try:
        status = run(method, url, body, headers, count)
    except Exception as e:  # report any client error to the harness
        sys.stderr.write("%s: %s\n" % (type(e).__name__, e))
        sys.exit(1)
    sys.stdout.write("%d\n" % status)


if __name__ == "__main__":
    main()
