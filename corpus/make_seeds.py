#!/usr/bin/env python3
"""Generate the committed seed corpus of redirspec's fuzz targets.

    python3 corpus/make_seeds.py            # (re)write every generated seed and location.dict
    python3 corpus/make_seeds.py --check    # exit 1 if a seed or the dict on disk differs from
                                            # this script, or if two files in a folder share bytes
    python3 corpus/make_seeds.py --list     # print each folder's file names and sizes

Every seed is written byte for byte: a file's content is exactly the value below, with no
newline added.  Strings are UTF-8 encoded; anything that must NOT be valid UTF-8 is a bytes
literal.  Long values are built here, never typed by hand.  Files that are not generated here
(minimised crashes, regression seeds) may live in the same folders; this script never deletes
anything, but --check still refuses two files with identical content.
"""
import argparse
import hashlib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# --------------------------------------------------------------------------------------------
# corpus/location_parse/: one raw Location field value per file
# --------------------------------------------------------------------------------------------
LOCATION = []
# corpus/location_long/: the values longer than the location_parse target's
# max_len (read from its .options file), fuzzed by the location_long target
# with a limit past DEFAULT_MAX_LOCATION_LEN (64 KiB) instead.
LOCATION_LONG = []


def max_len(target):
    path = os.path.join(HERE, "..", "fuzz", "fuzz_targets", target + ".options")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, _, value = line.partition("=")
            if key.strip() == "max_len":
                return int(value)
    sys.exit("no max_len in " + path)


LOCATION_MAX_LEN = max_len("location_parse")


def loc(name, value):
    if isinstance(value, str):
        value = value.encode("utf-8")
    (LOCATION_LONG if len(value) > LOCATION_MAX_LEN else LOCATION).append((name, value))


# abs-: absolute http / https URIs as servers send them
loc("abs-https-basic", "https://example.test/next")
loc("abs-http-basic", "http://example.test/next")
loc("abs-https-root", "https://example.test/")
loc("abs-https-no-path", "https://example.test")
loc("abs-https-query", "https://example.test/search?q=redirect&page=2")
loc("abs-https-fragment", "https://example.test/doc#section-2")
loc("abs-https-query-fragment", "https://example.test/p?x=1#top")
loc("abs-https-port", "https://example.test:8443/login")
loc("abs-https-uppercase", "HTTPS://A.TEST")
loc("abs-https-mixed-case", "HtTpS://Example.TEST/Path/To")
loc("abs-https-trailing-dot-host", "https://example.test./")
loc("abs-https-sso-return-to",
    "https://sso.example.test/login?return_to=https%3A%2F%2Fapp.example.test%2Fdash%3Ftab%3D1")
loc("abs-https-oauth-callback",
    "https://app.example.test/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj")
loc("abs-https-oauth-implicit-fragment",
    "https://app.example.test/cb#access_token=2YotnFZFEjr1zCsicMWpAA&token_type=bearer&expires_in=3600")
loc("abs-http-www-index", "http://www.example.test/index.html")
loc("abs-https-encoded-path", "https://example.test/a%20b/c%2Fd")
loc("abs-https-dot-segments", "https://example.test/a/./b/../c")
loc("abs-https-empty-query", "https://example.test/p?")
loc("abs-https-empty-fragment", "https://example.test/p#")
loc("abs-https-localhost", "https://localhost/")
loc("abs-http-localhost-port", "http://localhost:3000/")
loc("abs-http-to-https-upgrade", "https://example.test/login?from=http")
loc("abs-https-downgrade-to-http", "http://example.test/insecure")
loc("abs-https-subdomain", "https://www.example.test/")
loc("abs-https-long-query-list", "https://example.test/p?a=1&a=2&b=&c&=d&&")
loc("abs-https-trailing-slash-dir", "https://example.test/docs/")

# schemerel-: network-path references (//authority...)
loc("schemerel-host-path", "//cdn.example.test/assets/app.js")
loc("schemerel-host", "//example.test")
loc("schemerel-host-port", "//example.test:8080/p")
loc("schemerel-host-query", "//example.test?x=1")
loc("schemerel-host-fragment", "//example.test#f")
loc("schemerel-empty-authority", "//")

# path-: absolute-path references
loc("path-root", "/")
loc("path-basic", "/login")
loc("path-nested", "/a/b/c")
loc("path-trailing-slash", "/dir/")
loc("path-query-plus", "/search?q=a+b")
loc("path-query-fragment", "/p?x=1#frag")
loc("path-fragment", "/p#frag")
loc("path-dot-segments", "/a/b/../c/./d")
loc("path-double-slash-inside", "/a//b")
loc("path-colon-segment", "/a:b")
loc("path-at-segment", "/@evil.test")
loc("path-tilde-user", "/~user/")
loc("path-trailing-dotdot", "/a/b/..")
loc("path-trailing-dot", "/a/b/.")
loc("path-login-next", "/login?next=%2Faccount%2Fsettings")
loc("path-index-php", "/index.php?route=common/home")

# rfc-normal- / rfc-abnormal-: every reference of RFC 3986 §5.4.1 and §5.4.2, read from the one
# table of them, tests/data/rfc3986_examples.txt (NAME<TAB>REFERENCE<TAB>RESULT, base
# "http://a/b/c/d;p?q"), which the Rust tests read too.
def rfc3986_examples():
    path = os.path.join(HERE, "..", "tests", "data", "rfc3986_examples.txt")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh.read().split("\n"):
            if not line or line.startswith("#") or line.startswith("base\t"):
                continue
            name, ref, result = line.split("\t")
            rows.append((name, ref, result))
    assert len(rows) == 42, "RFC 3986 §5.4 has 23 + 19 examples"
    return rows


RFC3986_EXAMPLES = rfc3986_examples()
for _name, _ref, _result in RFC3986_EXAMPLES:
    loc(_name, _ref)

# rel-: other relative-path references
loc("rel-file", "next.html")
loc("rel-dotdot-file", "../index.html")
loc("rel-dot-query", ".?x=1")
loc("rel-dot-slash-colon", "./a:b")
loc("rel-colon-second-segment", "a/b:c")
loc("rel-traversal-etc-passwd", "../../../../../../../../etc/passwd")
loc("rel-trailing-dotdot", "a/b/..")
loc("rel-double-slash-inside", "a//b")
loc("rel-query-with-path", "page?next=/a/b")
loc("rel-dotdot-dot-mix", "a/./../b/./c/..")
loc("rel-digit-colon", "8080:path")

# query-: query-only references
loc("query-only", "?")
loc("query-page", "?page=2")
loc("query-next-path", "?next=/admin")
loc("query-open-redirect-url", "?redirect=https://evil.test/")
loc("query-question-in-query", "?a?b")
loc("query-then-empty-fragment", "?#")
loc("query-then-fragment", "?q=1#top")
loc("query-slash-dot-segments", "?/../../x")

# frag-: fragment-only references and fragment edge cases
loc("frag-only", "#")
loc("frag-top", "#top")
loc("frag-slash-then-empty", "/#")
loc("frag-multiple-hash", "/p#a#b")
loc("frag-double-hash", "##")
loc("frag-question-in-fragment", "/p#a?b")
loc("frag-spa-route", "#/route/a")
loc("frag-hashbang", "/#!/app/home")
loc("frag-encoded-space", "#%20x")
loc("frag-at-sign", "#@evil.test")

# ws-: whitespace: whitespace-only, leading / trailing / internal SP and HTAB
loc("ws-space", " ")
loc("ws-spaces", "   ")
loc("ws-tab", "\t")
loc("ws-mixed-sp-tab", " \t \t")
loc("ws-leading-space", " /next")
loc("ws-trailing-space", "/next ")
loc("ws-leading-trailing-spaces", "  https://example.test/  ")
loc("ws-leading-tab", "\t/next")
loc("ws-trailing-tab", "/next\t")
loc("ws-leading-trailing-tab-abs", "\thttps://example.test/next\t")
loc("ws-internal-space-path", "/a b/c")
loc("ws-internal-space-query", "/search?q=a b")
loc("ws-internal-space-fragment", "/p#a b")
loc("ws-internal-space-host", "https://exa mple.test/")
loc("ws-internal-tab-path", "/a\tb")
loc("ws-internal-tab-host", "https://exa\tmple.test/")
loc("ws-space-after-scheme", "https: //example.test/")
loc("ws-space-in-scheme", "ht tps://example.test/")
loc("ws-space-before-port", "https://example.test :8443/")

# ctl-: CR, LF, NUL, DEL and other control bytes
loc("ctl-cr-only", "\r")
loc("ctl-lf-only", "\n")
loc("ctl-crlf-only", "\r\n")
loc("ctl-trailing-lf", "/next\n")
loc("ctl-trailing-cr", "/next\r")
loc("ctl-trailing-crlf", "/next\r\n")
loc("ctl-lf-in-path", "/a\nb")
loc("ctl-cr-in-path", "/a\rb")
loc("ctl-lf-in-host", "https://exa\nmple.test/")
loc("ctl-cr-in-host", "https://exa\rmple.test/")
loc("ctl-nul-only", "\x00")
loc("ctl-nul-in-path", "/a\x00b")
loc("ctl-nul-trailing", "/next\x00")
loc("ctl-nul-in-host", "https://evil.test\x00.trusted.test/")
loc("ctl-nul-after-scheme", "https:\x00//evil.test/")
loc("ctl-del-in-path", "/a\x7fb")
loc("ctl-del-trailing", "/next\x7f")
loc("ctl-del-in-host", "https://evil\x7f.test/")
loc("ctl-bell-in-path", "/a\x07b")
loc("ctl-backspace-in-path", "/a\x08b")
loc("ctl-ansi-escape", "/\x1b[31mred\x1b[0m")
loc("ctl-vertical-tab-leading", "\x0b/next")
loc("ctl-formfeed-leading", "\x0c/next")
loc("ctl-leading-c0-before-scheme", "\x01\x02\x03https://evil.test/")
loc("ctl-leading-all-c0-before-scheme",
    "".join(chr(c) for c in range(0x00, 0x20)) + "https://evil.test/")
loc("ctl-trailing-c0", "/next\x1f\x1e")
loc("ctl-unit-separator-in-host", "https://evil.test\x1f.trusted.test/")

# inject-: header injection / response splitting attempts carried in the value
loc("inject-crlf-set-cookie", "/a\r\nSet-Cookie: x=1")
loc("inject-lf-set-cookie", "/a\nSet-Cookie: x=1")
loc("inject-cr-set-cookie", "/a\rSet-Cookie: x=1")
loc("inject-crlf-second-location", "/a\r\nLocation: https://evil.test/")
loc("inject-crlf-response-split",
    "/a\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    "Content-Length: 25\r\n\r\n<script>alert(1)</script>")
loc("inject-crlf-in-query", "/?q=x\r\nX-Injected: 1")
loc("inject-crlf-obs-fold", "/a\r\n /b")
loc("inject-pct-crlf-lower", "/a%0d%0aSet-Cookie:%20x=1")
loc("inject-pct-crlf-upper", "/a%0D%0ASet-Cookie: x=1")
loc("inject-pct-lf-only", "/a%0aSet-Cookie:x=1")
# U+560A U+560D: servers that truncate code points to their low byte emit LF / CR
loc("inject-utf8-crlf-lookalike", "/a\u560a\u560dSet-Cookie:x=1")

# attack-: backslashes, slash counts, scheme confusion, dot-segment escapes
loc("attack-backslash-host", "\\\\evil.test")
loc("attack-slash-backslash-host", "/\\evil.test")
loc("attack-backslash-slash-host", "\\/evil.test")
loc("attack-https-backslashes", "https:\\\\evil.test")
loc("attack-https-slash-backslash", "https:/\\evil.test")
loc("attack-backslash-path-only", "\\evil.test")
loc("attack-backslashes-path-trusted", "/\\\\evil.test/trusted.test")
loc("attack-double-slash-host", "//evil.test")
loc("attack-triple-slash-host", "///evil.test")
loc("attack-quad-slash-host", "////evil.test")
loc("attack-http-no-slashes", "http:evil.test")
loc("attack-https-one-slash", "https:/evil.test")
loc("attack-https-no-slashes", "https:evil.test")
loc("attack-https-three-slashes", "https:///evil.test")
loc("attack-slash-tab-slash", "/\t/evil.test")
loc("attack-slash-lf-slash", "/\n/evil.test")
loc("attack-slash-cr-slash", "/\r/evil.test")
loc("attack-leading-space-double-slash", " //evil.test")
loc("attack-pct-slash-host", "/%2fevil.test")
loc("attack-pct-backslash-host", "/%5cevil.test")
# remove_dot_segments turns these into a path that starts with "//": a careless
# serialiser then emits a network-path reference to evil.test
loc("attack-dot-double-slash-path", "/.//evil.test")
loc("attack-dotdot-double-slash-path", "/..//evil.test")
loc("attack-rel-dotdot-double-slash", "../..//evil.test/x")
loc("attack-host-dotdot", "http://../")
loc("attack-host-dot", "http://./")
loc("attack-schemerel-host-dotdot", "//../x")
loc("attack-empty-host-port", "https://:443/")
loc("attack-empty-host-path", "https:///")
loc("attack-http-empty-host", "http://")
loc("attack-userinfo-empty-host", "https://trusted.test@/evil.test")
loc("attack-whitelist-suffix", "https://trusted.test.evil.test/")
loc("attack-whitelist-prefix", "https://eviltrusted.test/")
loc("attack-host-in-path", "https://evil.test/trusted.test")
loc("attack-scheme-in-path", "/https://evil.test/")
loc("attack-https-tab-before-slashes", "https:\t//evil.test")
loc("attack-https-colon-only-host", "https://:/")

# scheme-: non-http(s) schemes and malformed schemes
loc("scheme-data-html", "data:text/html,x")
loc("scheme-data-base64-script",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")
loc("scheme-file-passwd", "file:///etc/passwd")
loc("scheme-file-windows", "file:///C:/Windows/win.ini")
loc("scheme-file-host-share", "file://fileserver/share/x")
loc("scheme-ftp", "ftp://x/")
loc("scheme-ws", "ws://x/")
loc("scheme-wss", "wss://x/socket")
loc("scheme-mailto", "mailto:a@b")
loc("scheme-about-blank", "about:blank")
loc("scheme-blob-empty", "blob:")
loc("scheme-blob-url", "blob:https://example.test/550e8400-e29b-41d4-a716-446655440000")
loc("scheme-vbscript", "vbscript:msgbox(1)")
loc("scheme-custom-app-callback", "com.example.app:/oauth2redirect?code=abc")
loc("scheme-custom-app-authority", "myapp://callback?code=abc&state=xyz")
loc("scheme-tel", "tel:+15550100")
loc("scheme-gopher-ssrf", "gopher://localhost:6379/_INFO")
loc("scheme-dict-ssrf", "dict://localhost:11211/stats")
loc("scheme-view-source", "view-source:https://example.test/")
loc("scheme-intent", "intent://scan/#Intent;scheme=zxing;package=com.example;end")
loc("scheme-leading-digit", "1http://x/")
loc("scheme-plus-dot-dash", "a+b.c-d:rest")
loc("scheme-empty-colon-slashes", "://evil.test")
loc("scheme-only-https", "https:")
loc("scheme-only-https-slashes", "https://")
loc("scheme-underscore-invalid", "ht_tp://x/")
loc("scheme-single-letter-drive", "C:\\Windows\\win.ini")
loc("scheme-urn", "urn:ietf:rfc:3986")

# js-: javascript: and the ways filters miss it
loc("js-alert", "javascript:alert(1)")
loc("js-mixed-case", "JaVaScRiPt:alert(1)")
loc("js-tab-in-scheme", "java\tscript:alert(1)")
loc("js-lf-in-scheme", "java\nscript:alert(1)")
loc("js-cr-in-scheme", "java\rscript:alert(1)")
loc("js-tabs-everywhere", "\tj\ta\tv\ta\ts\tc\tr\ti\tp\tt\t:alert(1)")
loc("js-leading-space", " javascript:alert(1)")
loc("js-leading-c0", "\x01javascript:alert(1)")
loc("js-leading-nul", "\x00javascript:alert(1)")
loc("js-pct-colon", "javascript%3Aalert(1)")
loc("js-pct-first-letter", "%6Aavascript:alert(1)")
loc("js-html-entity-colon", "javascript&colon;alert(1)")
loc("js-comment-newline", "javascript://%0aalert(1)")
loc("js-comment-host-newline", "javascript://example.test/%0Aalert(document.domain)")
loc("js-utf8-bom-prefix", "\ufeffjavascript:alert(1)")

# userinfo-: userinfo and "@" tricks
loc("userinfo-trusted-at-evil", "https://trusted.test@evil.test/")
loc("userinfo-backslash-at", "https://evil.test\\@trusted.test")
loc("userinfo-user-pass", "https://a:b@c.test/")
loc("userinfo-empty", "https://@evil.test")
loc("userinfo-schemerel", "//user@host")
loc("userinfo-multiple-at", "https://a@b@evil.test/")
loc("userinfo-pct-at-in-host", "https://trusted.test%40evil.test/")
loc("userinfo-colon-only", "https://:@evil.test/")
loc("userinfo-password-only", "https://:secret@evil.test/")
loc("userinfo-port-lookalike", "https://trusted.test:443@evil.test/")
loc("userinfo-hash-before-at", "https://evil.test#@trusted.test/")
loc("userinfo-question-before-at", "https://evil.test?@trusted.test/")
loc("userinfo-slash-before-at", "https://evil.test/@trusted.test/")
loc("userinfo-pct-colon-password", "https://user:tok%3Aen@api.example.test/v1")
loc("userinfo-utf8", "https://\u00fc@evil.test/")
loc("userinfo-schemerel-trusted-at-evil", "//trusted.test@evil.test/")
loc("userinfo-space", "https://a b@evil.test/")

# idn-: internationalised host names
loc("idn-utf8-host", "https://b\u00fccher.test/")
loc("idn-punycode-host", "https://xn--bcher-kva.test/")
loc("idn-uppercase-utf8", "https://B\u00dcCHER.TEST/")
loc("idn-uppercase-punycode", "https://XN--BCHER-KVA.TEST/")
loc("idn-ideographic-full-stop", "https://evil\u3002test")
loc("idn-fullwidth-full-stop", "https://evil\uff0etest/")
loc("idn-halfwidth-full-stop", "https://evil\uff61test/")
loc("idn-fullwidth-letters", "https://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.test/")
loc("idn-cyrillic-homograph", "https://\u0430pple.test/")
loc("idn-empty-punycode-label", "https://xn--.test/")
loc("idn-invalid-punycode", "https://xn--zz-\u00e9.test/")
loc("idn-pct-encoded-utf8", "https://b%C3%BCcher.test/")
loc("idn-zero-width-space", "https://ex\u200bample.test/")
loc("idn-soft-hyphen", "https://ex\u00adample.test/")
loc("idn-emoji", "https://\u2603.test/")
loc("idn-rtl-arabic", "https://\u0645\u062b\u0627\u0644.test/")
loc("idn-deviation-sharp-s", "https://fa\u00df.test/")
loc("idn-schemerel-utf8", "//b\u00fccher.test/p")

# pct-: percent-encoded hosts and dot segments
loc("pct-host-letter", "https://%65vil.test/")
loc("pct-host-all", "https://%65%76%69%6c%2e%74%65%73%74/")
loc("pct-host-dot", "https://evil%2etest/")
loc("pct-host-slash", "https://evil.test%2F.trusted.test/")
loc("pct-host-nul", "https://evil.test%00.trusted.test/")
loc("pct-host-space", "https://exa%20mple.test/")
loc("pct-dotdot-path", "/%2e%2e/%2e%2e/etc/passwd")
loc("pct-dotdot-upper", "/a/%2E%2E/b")
loc("pct-dot-dotdot-mixed", "/a/.%2e/b")
loc("pct-dot-single", "/a/%2e/b")
loc("pct-dotdot-relative", "%2e%2e/g")
loc("pct-slash-traversal", "/..%2f..%2fetc/passwd")
loc("pct-double-encoded-dotdot", "/%252e%252e/x")
loc("pct-encoded-question", "/a%3fb")
loc("pct-encoded-hash", "/a%23b")
loc("pct-encoded-scheme-colon", "https%3A//evil.test/")
loc("pct-unreserved", "/%41%42%43%7E")
loc("pct-utf8-path", "/caf%C3%A9")

# bad-pct-: malformed percent escapes
loc("bad-pct-escape-trailing", "/a%")
loc("bad-pct-escape-one-digit", "/a%4")
loc("bad-pct-escape-nonhex", "/a%zz")
loc("bad-pct-escape-double-percent", "/a%%")
loc("bad-pct-escape-one-digit-then-char", "/a%4g")
loc("bad-pct-escape-only", "%")
loc("bad-pct-escape-slash", "/%/")
loc("bad-pct-in-host", "https://ex%zzample.test/")
loc("bad-pct-in-query", "/?q=%")
loc("bad-pct-in-fragment", "/#%x")
loc("bad-pct-in-userinfo", "https://u%@h.test/")
loc("bad-pct-in-port", "https://h.test:%38%30/")
loc("bad-pct-escape-percent-hex", "/%%41")

# ipv4-: IPv4 literals and the numeric forms WHATWG accepts
loc("ipv4-loopback", "http://127.0.0.1/")
loc("ipv4-hex-short", "http://0x7f.1/")
loc("ipv4-decimal-integer", "http://2130706433/")
loc("ipv4-short-form", "http://127.1/")
loc("ipv4-octal", "http://0177.0.0.1/")
loc("ipv4-hex-integer", "http://0x7f000001/")
loc("ipv4-metadata-service", "http://169.254.169.254/latest/meta-data/")
loc("ipv4-zero", "http://0.0.0.0/")
loc("ipv4-zero-short", "http://0/")
loc("ipv4-out-of-range", "http://256.256.256.256/")
loc("ipv4-trailing-dot", "http://127.0.0.1./")
loc("ipv4-five-parts", "http://1.2.3.4.5/")
loc("ipv4-leading-zeros", "http://127.000.000.001/")
loc("ipv4-with-port", "http://127.0.0.1:8080/")
loc("ipv4-integer-overflow", "http://4294967296/")
loc("ipv4-fullwidth-digits", "http://\uff11\uff12\uff17.0.0.1/")
loc("ipv4-last-part-not-number", "http://1.2.3.foo/")
loc("ipv4-schemerel", "//127.0.0.1/admin")

# ipv6-: IPv6 literals, zone ids, IPvFuture, malformed brackets
loc("ipv6-loopback", "http://[::1]/")
loc("ipv6-full-with-port", "http://[2001:db8:0:0:0:0:0:1]:8080/p")
loc("ipv6-compressed", "https://[2001:db8::1]/")
loc("ipv6-v4-mapped", "http://[::ffff:127.0.0.1]/")
loc("ipv6-zone-id", "http://[fe80::1%25eth0]/")
loc("ipv6-zone-id-raw-percent", "http://[fe80::1%eth0]/")
loc("ipv6-unbracketed", "http://::1/")
loc("ipv6-unbracketed-full", "http://2001:db8::1/")
loc("ipv6-unterminated", "http://[::1")
loc("ipv6-unterminated-path", "http://[::1/path")
loc("ipv6-bad-hex", "http://[::g]/")
loc("ipv6-too-many-groups", "http://[1:2:3:4:5:6:7:8:9]/")
loc("ipv6-double-compression", "http://[1::2::3]/")
loc("ipv6-ipvfuture", "http://[v1.x]/")
loc("ipv6-ipvfuture-empty-tail", "http://[v1.]/")
loc("ipv6-empty-brackets", "http://[]/")
loc("ipv6-uppercase-hex", "http://[2001:DB8::A]/")
loc("ipv6-loopback-port", "http://[::1]:8080/")
loc("ipv6-stray-close-bracket", "http://::1]/")
loc("ipv6-brackets-in-path", "/[::1]/")
loc("ipv6-userinfo", "http://user@[::1]/")
loc("ipv6-schemerel", "//[::1]:443/")
loc("ipv6-v4-embedded-bad", "http://[::1.2.3]/")
loc("ipv6-trailing-garbage", "http://[::1]x/")

# port-: ports
loc("port-80", "http://example.test:80/")
loc("port-443-https", "https://example.test:443/")
loc("port-443-on-http", "http://example.test:443/")
loc("port-0", "http://example.test:0/")
loc("port-65535", "http://example.test:65535/")
loc("port-65536", "http://example.test:65536/")
loc("port-huge", "http://example.test:99999999999/")
loc("port-2-pow-64", "http://example.test:18446744073709551616/")
loc("port-empty", "http://example.test:/")
loc("port-alpha", "http://example.test:8a/")
loc("port-negative", "http://example.test:-1/")
loc("port-leading-zeros", "http://example.test:0080/")
loc("port-plus-sign", "http://example.test:+80/")
loc("port-space", "http://example.test: 80/")
loc("port-two-colons", "http://example.test:80:80/")
loc("port-no-host", "http://:80/")
loc("port-fullwidth-digits", "http://example.test:\uff18\uff10/")
loc("port-no-path", "https://example.test:8443")
loc("port-empty-no-path", "https://example.test:")

# utf8-: valid non-ASCII UTF-8 sent raw (not percent-encoded)
loc("utf8-path", "/caf\u00e9/men\u00fc")
loc("utf8-query", "/search?q=\u65e5\u672c\u8a9e")
loc("utf8-fragment", "/doc#r\u00e9sum\u00e9")
loc("utf8-relative-path", "stra\u00dfe/\u00fcbersicht")
loc("utf8-emoji-path", "/\U0001F600")
loc("utf8-bom-leading", "\ufeff/next")
loc("utf8-nbsp-leading", "\u00a0/next")
loc("utf8-nbsp-trailing", "/next\u00a0")
loc("utf8-nel-in-path", "/a\u0085b")
loc("utf8-line-separator-in-path", "/a\u2028b")
loc("utf8-rtl-override", "/\u202egnp.exe")
loc("utf8-fullwidth-solidus-host", "/\uff0fevil.test")
loc("utf8-fullwidth-reverse-solidus-host", "\uff3c\uff3cevil.test")
loc("utf8-combining-accent", "/e\u0301")
loc("utf8-ideographic-space", "/a\u3000b")

# utf8-invalid-: bytes that are not UTF-8
loc("utf8-invalid-lone-continuation", b"/\x80")
loc("utf8-invalid-overlong-slash", b"/\xc0\xaf")
loc("utf8-invalid-overlong-dotdot", b"/\xc0\xae\xc0\xae/etc/passwd")
loc("utf8-invalid-truncated-3byte", b"/\xe2\x82")
loc("utf8-invalid-ff", b"/\xff")
loc("utf8-invalid-fe-only", b"\xfe")
loc("utf8-invalid-continuation", b"/\xc3\x28")
loc("utf8-invalid-surrogate", b"/\xed\xa0\x80")
loc("utf8-invalid-latin1", b"/caf\xe9")
loc("utf8-invalid-in-host", b"https://\xff.test/")
loc("utf8-invalid-truncated-at-end", b"https://example.test/\xe2")
loc("utf8-invalid-above-max", b"/\xf4\x90\x80\x80")
loc("utf8-invalid-in-query", b"/?q=\xff")
loc("utf8-invalid-in-fragment", b"/#\x80")
loc("utf8-invalid-in-scheme", b"ht\xfftp://example.test/")
loc("utf8-invalid-overlong-nul", b"/a\xc0\x80b")

# overlong-: very long values (sizes in the names are exact file sizes: 1k = 1024 bytes)
def sized(prefix, filler, total, suffix=""):
    prefix, suffix = prefix.encode(), suffix.encode()
    filler = filler.encode()
    body_len = total - len(prefix) - len(suffix)
    assert body_len % len(filler) == 0, "filler would be cut: %r" % prefix  # no torn escapes/UTF-8
    body = filler * (body_len // len(filler))
    out = prefix + body + suffix
    assert len(out) == total, (len(out), total)
    return out


loc("overlong-1k-path", sized("/", "a", 1024))
loc("overlong-8k-path", sized("/", "a", 8 * 1024))
loc("overlong-64k-path", sized("/", "a", 64 * 1024))
loc("overlong-70k-path", sized("/", "a", 70 * 1024))
loc("overlong-8k-query", sized("/search?q=", "x", 8 * 1024))
loc("overlong-8k-abs-url", sized("https://example.test/", "segment/", 8 * 1024, "end"))
loc("overlong-8k-fragment", sized("/p#", "f", 8 * 1024))
loc("overlong-1k-dotdot", sized("", "../", 1024, "g"))
loc("overlong-1k-slashes", sized("", "/", 1024, "evil.test"))
loc("overlong-1k-dot-segments", sized("", "/.", 1024, "/g"))
loc("overlong-8k-pct-escapes", sized("/p", "%41", 8 * 1024))
loc("overlong-host-label-64", "https://" + "a" * 64 + ".test/")
loc("overlong-host-256", "https://" + ".".join(["a" * 63] * 4) + "/")
loc("overlong-host-8k", sized("https://", "sub.", 8 * 1024, "ab.test/"))
loc("overlong-1k-userinfo", sized("https://", "u", 1024, "@evil.test/"))
loc("overlong-1k-port", sized("http://example.test:", "8", 1024, "/"))
loc("overlong-1k-ipv6-zone", sized("http://[fe80::1%25", "z", 1024, "]/"))
loc("overlong-8k-utf8-path", sized("/a", "\u00e9", 8 * 1024))
loc("overlong-1k-spaces-then-path", sized("", " ", 1024, "/next"))

# matrix-: semicolons and matrix parameters
loc("matrix-params", "/a;b=c/d;e=f")
loc("matrix-jsessionid", "/app;jsessionid=0123456789ABCDEF?x=1")
loc("matrix-semicolon-only", ";")
loc("matrix-dotdot-bypass", "/a/..;/admin")
loc("matrix-semicolon-in-host", "https://example.test;evil.test/")
loc("matrix-query-semicolons", "/?a=1;b=2")
loc("matrix-empty-params", "/a;/b;;/c")

# --------------------------------------------------------------------------------------------
# corpus/raw_response/: HTTP/1.x response heads exactly as on the wire
# --------------------------------------------------------------------------------------------
RAW = []
CRLF = b"\r\n"
DATE = "Date: Tue, 25 Nov 2025 15:47:00 GMT"


def enc(x):
    return x if isinstance(x, bytes) else x.encode("utf-8")


def resp(name, status_line, headers, body=b"", eol=CRLF, end=True):
    """status line + header lines + (empty line + body when end)."""
    out = enc(status_line) + eol
    for h in headers:
        out += enc(h) + eol
    if end:
        out += eol + enc(body)
    RAW.append((name, out))


def raw(name, data):
    RAW.append((name, enc(data)))


def html(text):
    return "<html><body>" + text + "</body></html>\n"


# status-: one per 3xx code (and an unknown one)
b300 = html('<a href="/doc.en.html">en</a> <a href="/doc.de.html">de</a>')
resp("status-300-multiple-choices", "HTTP/1.1 300 Multiple Choices",
     [DATE, "Location: /doc.en.html", "Alternates: {\"doc.en.html\" 1}, {\"doc.de.html\" 0.9}",
      "Content-Type: text/html", "Content-Length: %d" % len(b300)], b300)
resp("status-301-moved-permanently", "HTTP/1.1 301 Moved Permanently",
     [DATE, "Server: nginx", "Location: https://example.test/new", "Content-Length: 0"])
b302 = html('<a href="/next">Found</a>')
resp("status-302-found", "HTTP/1.1 302 Found",
     [DATE, "Location: /next", "Content-Type: text/html; charset=utf-8",
      "Content-Length: %d" % len(b302)], b302)
resp("status-303-see-other", "HTTP/1.1 303 See Other",
     [DATE, "Location: /orders/42", "Content-Length: 0"])
resp("status-304-not-modified", "HTTP/1.1 304 Not Modified",
     [DATE, 'ETag: "33a64df5"', "Cache-Control: max-age=60"])
resp("status-305-use-proxy", "HTTP/1.1 305 Use Proxy",
     [DATE, "Location: http://proxy.test:8080/", "Content-Length: 0"])
resp("status-306-unused", "HTTP/1.1 306 Switch Proxy",
     [DATE, "Location: /switched", "Content-Length: 0"])
resp("status-307-temporary-redirect", "HTTP/1.1 307 Temporary Redirect",
     [DATE, "Location: https://api.example.test/v2/upload", "Content-Length: 0"])
resp("status-308-permanent-redirect", "HTTP/1.1 308 Permanent Redirect",
     [DATE, "Location: /v2/items", "Content-Type: text/plain", "Content-Length: 18"],
     "Redirecting to /v2")
resp("status-399-unknown-3xx", "HTTP/1.1 399 Whatever",
     [DATE, "Location: /unknown-code", "Content-Length: 0"])
resp("status-302-no-location", "HTTP/1.1 302 Found",
     [DATE, "Content-Length: 0"])
resp("status-301-head-no-headers", "HTTP/1.1 301 Moved Permanently", [])

# nonredirect-: non-3xx responses, some with a Location
ok = html("hello")
resp("nonredirect-200-ok", "HTTP/1.1 200 OK",
     [DATE, "Content-Type: text/html", "Content-Length: %d" % len(ok)], ok)
resp("nonredirect-200-with-location", "HTTP/1.1 200 OK",
     [DATE, "Location: /should-not-follow", "Content-Length: 2"], "ok")
resp("nonredirect-201-created-location", "HTTP/1.1 201 Created",
     [DATE, "Location: /items/123", "Content-Type: application/json", "Content-Length: 10"],
     '{"id":123}')
resp("nonredirect-202-accepted-location", "HTTP/1.1 202 Accepted",
     [DATE, "Location: /queue/7", "Content-Length: 0"])
nf = html("not found")
resp("nonredirect-404-not-found", "HTTP/1.1 404 Not Found",
     [DATE, "Content-Type: text/html", "Content-Length: %d" % len(nf)], nf)
resp("nonredirect-404-with-location", "HTTP/1.1 404 Not Found",
     [DATE, "Location: /search?q=missing", "Content-Length: 0"])
resp("nonredirect-200-refresh-header", "HTTP/1.1 200 OK",
     [DATE, "Refresh: 0; url=https://evil.test/", "Content-Length: 0"])
resp("nonredirect-201-content-location", "HTTP/1.1 201 Created",
     [DATE, "Content-Location: /items/124", "Location: /items/124", "Content-Length: 0"])

# loc-: the Location field itself: absent, empty, repeated, folded, odd spelling
resp("loc-empty", "HTTP/1.1 302 Found", [DATE, "Location:", "Content-Length: 0"])
# http(s) Locations without a host (RFC 9110 §4.2.1, §4.2.2): what Werkzeug makes of
# "https:evil.test", the value itself, and a scheme with nothing after "//"
resp("loc-https-empty-host", "HTTP/1.1 302 Found",
     [DATE, "Location: https:///evil.test", "Content-Length: 0"])
resp("loc-https-no-authority", "HTTP/1.1 302 Found",
     [DATE, "Location: https:evil.test", "Content-Length: 0"])
resp("loc-http-scheme-only", "HTTP/1.1 302 Found",
     [DATE, "Location: http://", "Content-Length: 0"])
resp("loc-empty-with-space", "HTTP/1.1 302 Found", [DATE, "Location: ", "Content-Length: 0"])
resp("loc-whitespace-only", "HTTP/1.1 301 Moved Permanently",
     [DATE, "Location: \t \t", "Content-Length: 0"])
resp("loc-dup-identical", "HTTP/1.1 302 Found",
     [DATE, "Location: /next", "Location: /next", "Content-Length: 0"])
resp("loc-dup-different", "HTTP/1.1 302 Found",
     [DATE, "Location: /a", "Location: https://evil.test/b", "Content-Length: 0"])
resp("loc-dup-one-empty", "HTTP/1.1 302 Found",
     [DATE, "Location: /a", "Location:", "Content-Length: 0"])
resp("loc-dup-case-variants", "HTTP/1.1 307 Temporary Redirect",
     [DATE, "location: /lower", "LOCATION: /upper", "Content-Length: 0"])
resp("loc-comma-joined", "HTTP/1.1 302 Found",
     [DATE, "Location: /a, /b", "Content-Length: 0"])
resp("loc-obs-fold-space", "HTTP/1.1 302 Found",
     [DATE, "Location: /first", " /continued", "Content-Length: 0"])
resp("loc-obs-fold-tab", "HTTP/1.1 301 Moved Permanently",
     [DATE, "Location: https://example.test", "\t/folded/path", "Content-Length: 0"])
resp("loc-obs-fold-empty-first-line", "HTTP/1.1 302 Found",
     [DATE, "Location:", " /next", "Content-Length: 0"])
resp("loc-trailing-whitespace", "HTTP/1.1 302 Found",
     [DATE, "Location: /next \t ", "Content-Length: 0"])
resp("loc-leading-whitespace", "HTTP/1.1 302 Found",
     [DATE, "Location: \t\t   /next", "Content-Length: 0"])
resp("loc-no-space", "HTTP/1.1 302 Found", [DATE, "Location:/next", "Content-Length: 0"])
resp("loc-lowercase-name", "HTTP/1.1 302 Found", [DATE, "location: /next", "Content-Length: 0"])
resp("loc-space-before-colon", "HTTP/1.1 302 Found",
     [DATE, "Location : /next", "Content-Length: 0"])
resp("loc-name-typo-ignored", "HTTP/1.1 302 Found",
     [DATE, "Locaton: /typo", "Content-Location: /content", "Content-Length: 0"])
resp("loc-absolute-javascript", "HTTP/1.1 302 Found",
     [DATE, "Location: javascript:alert(1)", "Content-Length: 0"])
resp("loc-relative-dotdot", "HTTP/1.1 301 Moved Permanently",
     [DATE, "Location: ../../g", "Content-Length: 0"])
resp("loc-backslash-host", "HTTP/1.1 302 Found",
     [DATE, "Location: /\\evil.test", "Content-Length: 0"])
resp("loc-ipv6-zone", "HTTP/1.1 307 Temporary Redirect",
     [DATE, "Location: http://[fe80::1%25eth0]:8080/", "Content-Length: 0"])
resp("loc-raw-utf8", "HTTP/1.1 302 Found",
     [DATE, "Location: https://b\u00fccher.test/caf\u00e9", "Content-Length: 0"])
resp("loc-obs-text-latin1", "HTTP/1.1 302 Found",
     [DATE, b"Location: /caf\xe9", "Content-Length: 0"])
resp("loc-nul-byte", "HTTP/1.1 302 Found", [DATE, "Location: /a\x00b", "Content-Length: 0"])
resp("loc-bare-cr-injection", "HTTP/1.1 302 Found",
     [DATE, "Location: /a\rSet-Cookie: x=1", "Content-Length: 0"])
resp("loc-bare-lf-injection", "HTTP/1.1 302 Found",
     [DATE, "Location: /a\nSet-Cookie: x=1", "Content-Length: 0"])
# what the wire carries after a successful CRLF injection through a Location value
resp("loc-crlf-injected-set-cookie", "HTTP/1.1 302 Found",
     [DATE, "Location: /a", "Set-Cookie: x=1", "Content-Length: 0"])
resp("loc-long-8k", "HTTP/1.1 302 Found",
     [DATE, b"Location: " + sized("/", "a", 8 * 1024), "Content-Length: 0"])
resp("loc-fragment-and-set-cookie", "HTTP/1.1 302 Found",
     [DATE, "Set-Cookie: session=abc; Path=/; HttpOnly; Secure",
      "Location: https://app.example.test/home#welcome", "Content-Length: 0"])

# hdr-: other header-section shapes
resp("hdr-long-16k-cookie", "HTTP/1.1 302 Found",
     [DATE, "Location: /next", b"Set-Cookie: big=" + sized("", "c", 16 * 1024),
      "Content-Length: 0"])
resp("hdr-many-headers-120", "HTTP/1.1 302 Found",
     [DATE] + ["X-Filler-%03d: %d" % (i, i) for i in range(120)] +
     ["Location: /after-many", "Content-Length: 0"])
resp("hdr-nul-in-name", "HTTP/1.1 302 Found",
     [DATE, "X-Fo\x00o: 1", "Location: /next", "Content-Length: 0"])
resp("hdr-nul-in-other-value", "HTTP/1.1 302 Found",
     [DATE, "Server: ng\x00inx", "Location: /next", "Content-Length: 0"])
resp("hdr-sensitive-headers", "HTTP/1.1 307 Temporary Redirect",
     [DATE, "Location: https://other.test/upload", "WWW-Authenticate: Basic realm=\"x\"",
      "Vary: Authorization, Cookie", "Content-Length: 0"])

# framing-: line endings, Content-Length, bodies, truncation
raw("framing-lf-only",
    "HTTP/1.1 302 Found\nLocation: /next\nContent-Length: 0\n\n")
raw("framing-mixed-line-endings",
    "HTTP/1.1 302 Found\r\nLocation: /next\nContent-Length: 0\r\n\n")
resp("framing-cl-too-long", "HTTP/1.1 302 Found",
     [DATE, "Location: /next", "Content-Length: 100"], "short body")
resp("framing-cl-too-short", "HTTP/1.1 302 Found",
     [DATE, "Location: /next", "Content-Length: 2"], "this body is longer than two bytes")
resp("framing-cl-duplicate-same", "HTTP/1.1 302 Found",
     [DATE, "Location: /next", "Content-Length: 5", "Content-Length: 5"], "moved")
resp("framing-cl-duplicate-different", "HTTP/1.1 302 Found",
     [DATE, "Location: /next", "Content-Length: 5", "Content-Length: 50"], "moved")
resp("framing-cl-list", "HTTP/1.1 302 Found",
     [DATE, "Location: /next", "Content-Length: 5, 5"], "moved")
resp("framing-cl-negative", "HTTP/1.1 302 Found",
     [DATE, "Location: /next", "Content-Length: -1"])
resp("framing-cl-and-chunked", "HTTP/1.1 302 Found",
     [DATE, "Location: /next", "Content-Length: 4", "Transfer-Encoding: chunked"],
     "5\r\nmoved\r\n0\r\n\r\n")
resp("framing-chunked-body", "HTTP/1.1 301 Moved Permanently",
     [DATE, "Location: /next", "Transfer-Encoding: chunked"],
     "1a\r\n<a href=\"/next\">next</a>\r\n0\r\n\r\n")
resp("framing-304-with-body", "HTTP/1.1 304 Not Modified",
     [DATE, 'ETag: "x"', "Content-Length: 11"], "should-drop")
resp("framing-close-delimited-body", "HTTP/1.0 302 Found",
     ["Location: /next", "Connection: close"], "body until the connection closes")
raw("framing-truncated-no-blank-line", "HTTP/1.1 302 Found\r\nLocation: /next\r\n")
raw("framing-truncated-mid-header", "HTTP/1.1 302 Found\r\nLocat")
raw("framing-truncated-mid-location", "HTTP/1.1 302 Found\r\nLocation: https://exa")
raw("framing-truncated-status-line", "HTTP/1.1 30")
raw("framing-leading-empty-line", "\r\nHTTP/1.1 302 Found\r\nLocation: /next\r\n\r\n")
raw("framing-two-responses-pipelined",
    "HTTP/1.1 302 Found\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n"
    "HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n")
raw("framing-space-before-first-header",
    "HTTP/1.1 302 Found\r\n Location: /next\r\nContent-Length: 0\r\n\r\n")

# statusline-: versions and reason phrases
resp("statusline-http10-302", "HTTP/1.0 302 Found", ["Location: /next", "Content-Length: 0"])
resp("statusline-http10-301", "HTTP/1.0 301 Moved Permanently",
     ["Location: http://example.test/", "Connection: keep-alive", "Content-Length: 0"])
resp("statusline-empty-reason", "HTTP/1.1 302 ", [DATE, "Location: /next", "Content-Length: 0"])
resp("statusline-no-reason-no-space", "HTTP/1.1 302",
     [DATE, "Location: /next", "Content-Length: 0"])
resp("statusline-odd-reason", "HTTP/1.1 301 Yeah Whatever, Go Away (see: RFC)",
     [DATE, "Location: /away", "Content-Length: 0"])
resp("statusline-reason-utf8", "HTTP/1.1 302 Gefunden \u2713",
     [DATE, "Location: /weiter", "Content-Length: 0"])
resp("statusline-reason-obs-text", b"HTTP/1.1 302 Trouv\xe9",
     [DATE, "Location: /suite", "Content-Length: 0"])
resp("statusline-reason-wrong", "HTTP/1.1 302 OK", [DATE, "Location: /next", "Content-Length: 0"])
resp("statusline-reason-tab", "HTTP/1.1 307 Temporary\tRedirect",
     [DATE, "Location: /next", "Content-Length: 0"])
resp("statusline-http2-text", "HTTP/2 302", [DATE, "Location: /next", "Content-Length: 0"])
resp("statusline-http11-lowercase", "http/1.1 302 Found",
     [DATE, "Location: /next", "Content-Length: 0"])
resp("statusline-two-digit-status", "HTTP/1.1 30 Found",
     [DATE, "Location: /next", "Content-Length: 0"])
resp("statusline-four-digit-status", "HTTP/1.1 3020 Found",
     [DATE, "Location: /next", "Content-Length: 0"])
resp("statusline-status-999", "HTTP/1.1 999 Request Denied",
     [DATE, "Location: /next", "Content-Length: 0"])
resp("statusline-double-space", "HTTP/1.1  302 Found",
     [DATE, "Location: /next", "Content-Length: 0"])

# cache-: caching headers on permanent and temporary redirects
resp("cache-301-immutable-year", "HTTP/1.1 301 Moved Permanently",
     [DATE, "Location: https://example.test/", "Cache-Control: public, max-age=31536000, immutable",
      "Content-Length: 0"])
resp("cache-302-no-store", "HTTP/1.1 302 Found",
     [DATE, "Location: /login", "Cache-Control: no-store, no-cache, must-revalidate",
      "Pragma: no-cache", "Expires: 0", "Content-Length: 0"])
resp("cache-307-private-expires", "HTTP/1.1 307 Temporary Redirect",
     [DATE, "Location: /tmp", "Cache-Control: private, max-age=60",
      "Expires: Tue, 25 Nov 2025 15:48:00 GMT", "Content-Length: 0"])
resp("cache-308-expires-only", "HTTP/1.1 308 Permanent Redirect",
     [DATE, "Location: /perm", "Expires: Thu, 01 Jan 2099 00:00:00 GMT", "Content-Length: 0"])
resp("cache-301-expires-invalid", "HTTP/1.1 301 Moved Permanently",
     [DATE, "Location: /p", "Expires: -1", "Cache-Control: max-age=abc", "Content-Length: 0"])

# --------------------------------------------------------------------------------------------
# corpus/location.dict: libFuzzer / AFL dictionary
# --------------------------------------------------------------------------------------------
DICT = [
    ("# schemes", None),
    ("scheme_http", "http:"), ("scheme_https", "https:"), ("scheme_http_slashes", "http://"),
    ("scheme_https_slashes", "https://"), ("scheme_https_upper", "HTTPS:"),
    ("scheme_ws", "ws:"), ("scheme_wss", "wss:"), ("scheme_ftp", "ftp:"),
    ("scheme_file", "file:"), ("scheme_file_slashes", "file:///"), ("scheme_data", "data:"),
    ("scheme_javascript", "javascript:"), ("scheme_js_tab", "java\tscript:"),
    ("scheme_about_blank", "about:blank"), ("scheme_blob", "blob:"), ("scheme_mailto", "mailto:"),
    ("# structure", None),
    ("slash", "/"), ("slash_slash", "//"), ("slash_x3", "///"), ("dotdot_seg", "/../"),
    ("dot_seg", "/./"), ("dotdot_rel", "../"), ("dot_rel", "./"), ("dot", "."), ("dotdot", ".."),
    ("query", "?"), ("fragment", "#"), ("query_fragment", "?#"), ("at", "@"), ("colon", ":"),
    ("semicolon", ";"), ("equals", "="), ("ampersand", "&"), ("backslash", "\\"),
    ("backslash_x2", "\\\\"), ("slash_backslash", "/\\"), ("bracket_open", "["),
    ("bracket_close", "]"), ("percent", "%"),
    ("# percent escapes", None),
    ("pct_dot", "%2e"), ("pct_dot_upper", "%2E"), ("pct_dotdot", "%2e%2e"), ("pct_slash", "%2f"),
    ("pct_slash_upper", "%2F"), ("pct_backslash", "%5c"), ("pct_percent", "%25"),
    ("pct_at", "%40"), ("pct_colon", "%3a"), ("pct_hash", "%23"), ("pct_question", "%3f"),
    ("pct_space", "%20"), ("pct_nul", "%00"), ("pct_crlf", "%0d%0a"), ("pct_bad", "%zz"),
    ("pct_overlong_slash", "%c0%af"),
    ("# hosts", None),
    ("localhost", "localhost"), ("host_test", "example.test"), ("host_evil", "evil.test"),
    ("punycode_prefix", "xn--"), ("punycode_label", "xn--bcher-kva"),
    ("punycode_host", "xn--bcher-kva.test"),
    ("ipv4_loopback", "127.0.0.1"), ("ipv4_hex", "0x7f"), ("ipv4_integer", "2130706433"),
    ("ipv4_max", "255.255.255.255"), ("ipv4_past_max", "256"),
    ("ipv4_short", "127.1"), ("ipv6_compress", "::"), ("ipv6_loopback", "[::1]"),
    ("ipv6_mapped", "::ffff:"), ("ipv6_zone", "%25eth0"), ("ipvfuture", "[v1."),
    ("# ports", None),
    ("port_80", ":80"), ("port_443", ":443"), ("port_0", ":0"), ("port_8080", ":8080"),
    ("port_65535", ":65535"), ("port_65536", ":65536"), ("port_huge", ":99999999999"),
    ("# whitespace and control bytes", None),
    ("sp", " "), ("htab", "\t"), ("cr", "\r"), ("lf", "\n"), ("crlf", "\r\n"), ("nul", "\x00"),
    ("del", "\x7f"), ("vt", "\x0b"), ("ff", "\x0c"), ("c0_soh", "\x01"),
    ("# non-ASCII and invalid UTF-8", None),
    ("nbsp", "\u00a0".encode()), ("bom", "\ufeff".encode()), ("zwsp", "\u200b".encode()),
    ("ideographic_full_stop", "\u3002".encode()), ("fullwidth_full_stop", "\uff0e".encode()),
    ("fullwidth_solidus", "\uff0f".encode()), ("u_umlaut", "\u00fc".encode()),
    ("utf8_lone_continuation", b"\x80"), ("utf8_overlong_slash", b"\xc0\xaf"),
    ("utf8_truncated", b"\xe2\x82"), ("byte_ff", b"\xff"),
    ("# response framing (raw_response)", None),
    ("http11", "HTTP/1.1 "), ("http10", "HTTP/1.0 "), ("status_301", " 301 "),
    ("status_302", " 302 "), ("status_303", " 303 "), ("status_307", " 307 "),
    ("status_308", " 308 "), ("hdr_location", "Location: "), ("hdr_location_lc", "location:"),
    ("hdr_content_length", "Content-Length: "), ("hdr_transfer_encoding_chunked",
                                                 "Transfer-Encoding: chunked"),
    ("hdr_set_cookie", "Set-Cookie: "), ("hdr_authorization", "Authorization: "),
    ("hdr_cache_control", "Cache-Control: "), ("end_of_head", "\r\n\r\n"),
    ("obs_fold_sp", "\r\n "), ("obs_fold_tab", "\r\n\t"),
]


def dict_escape(value):
    out = []
    for b in value:
        c = chr(b)
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append("\\x%02X" % b)
    return "".join(out)


def dict_unescape(text):
    """libFuzzer's ParseOneDictionaryEntry, for the self-check."""
    assert text.startswith('"') and text.endswith('"') and len(text) >= 2, text
    s, out, i = text[1:-1], bytearray(), 0
    while i < len(s):
        if s[i] == "\\":
            if s[i + 1] in '\\"':
                out.append(ord(s[i + 1]))
                i += 2
                continue
            assert s[i + 1] == "x" and all(c in "0123456789abcdefABCDEF" for c in s[i + 2:i + 4])
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
            continue
        out.append(ord(s[i]))
        i += 1
    return bytes(out)


def render_dict():
    lines = ["# libFuzzer / AFL dictionary for redirspec's Location and raw-response targets.",
             "# Generated by corpus/make_seeds.py; edit the DICT list there, then re-run it.",
             "# Format: name=\"value\"; \\\\ is a backslash, \\\" a quote, \\xNN any byte."]
    seen = set()
    for name, value in DICT:
        if value is None:
            lines.append("")
            lines.append(name)
            continue
        value = enc(value)
        assert re.match(r"^[a-z0-9_]+$", name), name
        assert value not in seen, ("duplicate dict value", name)
        assert 0 < len(value) <= 64, name  # libFuzzer's kMaxDictElementSize
        seen.add(value)
        line = '%s="%s"' % (name, dict_escape(value))
        assert dict_unescape(line[len(name) + 1:]) == value, name
        lines.append(line)
    return ("\n".join(lines) + "\n").encode("ascii")


# --------------------------------------------------------------------------------------------
def validate(folder, seeds):
    names, contents = set(), {}
    for name, data in seeds:
        assert NAME_RE.match(name), "bad file name %r" % name
        assert name not in names, "duplicate name %s/%s" % (folder, name)
        names.add(name)
        assert isinstance(data, bytes)
        if data in contents:
            sys.exit("duplicate content in %s: %s == %s" % (folder, name, contents[data]))
        contents[data] = name


def on_disk_duplicates(path):
    by_hash, dups = {}, []
    for f in sorted(os.listdir(path)):
        with open(os.path.join(path, f), "rb") as fh:
            h = hashlib.sha256(fh.read()).hexdigest()
        if h in by_hash:
            dups.append((by_hash[h], f))
        else:
            by_hash[h] = f
    return dups


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="verify, write nothing")
    ap.add_argument("--list", action="store_true", help="list the folders' files")
    args = ap.parse_args()

    targets = {"location_parse": LOCATION, "location_long": LOCATION_LONG, "raw_response": RAW}
    for folder, seeds in targets.items():
        validate(folder, seeds)
    for name, data in RAW:
        assert name.startswith("framing-truncated") or b"\n\n" in data or \
            b"\r\n\r\n" in data, "response without an end of head: " + name
    dict_bytes = render_dict()

    bad = 0
    for folder, seeds in targets.items():
        path = os.path.join(HERE, folder)
        os.makedirs(path, exist_ok=True)
        for name, data in seeds:
            fp = os.path.join(path, name)
            if args.check:
                try:
                    with open(fp, "rb") as fh:
                        if fh.read() != data:
                            print("differs: %s/%s" % (folder, name))
                            bad += 1
                except FileNotFoundError:
                    print("missing: %s/%s" % (folder, name))
                    bad += 1
            elif not args.list:
                with open(fp, "wb") as fh:
                    fh.write(data)
        for a, b in on_disk_duplicates(path):
            print("same content: %s/%s and %s/%s" % (folder, a, folder, b))
            bad += 1
    dict_path = os.path.join(HERE, "location.dict")
    if args.check:
        with open(dict_path, "rb") as fh:
            if fh.read() != dict_bytes:
                print("differs: location.dict")
                bad += 1
    elif not args.list:
        with open(dict_path, "wb") as fh:
            fh.write(dict_bytes)

    for folder in targets:
        path = os.path.join(HERE, folder)
        files = sorted(os.listdir(path))
        print("%s: %d files" % (folder, len(files)))
        if args.list:
            for f in files:
                print("  %-48s %7d bytes" % (f, os.path.getsize(os.path.join(path, f))))
    n_dict = sum(1 for _, v in DICT if v is not None)
    print("location.dict: %d entries" % n_dict)
    if bad:
        sys.exit("%d problem(s)" % bad)


if __name__ == "__main__":
    main()
