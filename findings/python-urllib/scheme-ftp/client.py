"""redirspec live adapter for python's urllib.request, urllib3 and requests.

Usage: python3 client.py urllib|urllib3|requests METHOD URL BODY_FILE|"" HEADERS_JSON_FILE [COUNT]
COUNT (default 1): the request is sent that many times in a row through one client object
(one opener, one PoolManager, one Session).
Prints the delivered status on stdout and exits 0; prints the error on stderr and exits 1.

Usage: python3 client.py urllib|urllib3|requests --serve
One process for many scenarios: reads one JSON object per line on stdin ({"method", "url",
"headers": [[name, value], ...], "body": [bytes] or null, "count"}), runs them one after
another and answers each with one line on stdout, `@@redirspec {"status": N}` or
`@@redirspec {"error": "..."}`. Every scenario builds its own client object (a new opener,
PoolManager or Session, closed at its end), so no connection or cookie crosses scenarios.
Exits at the end of stdin.
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
    try:
        status = None
        for _ in range(count):
            res = http.request(
                method, url, body=body, headers=dict(headers), timeout=30, redirect=True
            )
            status = res.status
        return status
    finally:
        http.clear()


def run_requests(method, url, body, headers, count):
    import requests

    with requests.Session() as s:
        s.trust_env = False
        status = None
        for _ in range(count):
            res = s.request(method, url, data=body, headers=dict(headers), timeout=30)
            status = res.status_code
        return status


def count_of(value):
    return int(value) if str(value) in ("1", "2", "3", "4", "5") else 1


def runner(flavour):
    return {"urllib": run_urllib, "urllib3": run_urllib3}.get(flavour, run_requests)


def serve(flavour):
    run = runner(flavour)

    def answer(obj):
        sys.stdout.write("@@redirspec " + json.dumps(obj) + "\n")
        sys.stdout.flush()

    answer({"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            s = json.loads(line)
            body = None if s.get("body") is None else bytes(s["body"])
            headers = [tuple(h) for h in s["headers"]]
            answer({"status": run(s["method"], s["url"], body, headers, count_of(s.get("count")))})
        except Exception as e:  # report any client error to the harness
            answer({"error": "%s: %s" % (type(e).__name__, e)})


def main():
    if len(sys.argv) > 2 and sys.argv[2] == "--serve":
        serve(sys.argv[1])
        return
    flavour, method, url, body_file, headers_file = sys.argv[1:6]
    count = count_of(sys.argv[6]) if len(sys.argv) > 6 else 1
    with open(headers_file, "r", encoding="utf-8") as f:
        headers = json.load(f)
    body = None
    if body_file:
        with open(body_file, "rb") as f:
            body = f.read()
    run = runner(flavour)
    try:
        status = run(method, url, body, headers, count)
    except Exception as e:  # report any client error to the harness
        sys.stderr.write("%s: %s\n" % (type(e).__name__, e))
        sys.exit(1)
    sys.stdout.write("%d\n" % status)


if __name__ == "__main__":
    main()
