// redirspec live adapter for java.net.http.HttpClient, followRedirects(NORMAL).
// Usage: java -cp DIR Fetch METHOD URL BODY_FILE|"" HEADERS_FILE [COUNT]
// HEADERS_FILE holds one "Name: value" line per header. COUNT (default 1): the request is sent
// that many times in a row through one HttpClient.
// Prints the delivered status on stdout and exits 0; prints the error on stderr and exits 1.
//
// Usage: java -cp DIR Fetch --serve
// One JVM for many scenarios: reads one JSON object per line on stdin ({"method", "url",
// "headers": [[name, value], ...], "body": [bytes] or null, "count"}), runs them one after
// another and answers each with one line on stdout, `@@redirspec {"status":N}` or
// `@@redirspec {"error":"..."}`. Every scenario builds its own HttpClient (its own connection
// pool; no cookie handler, as by default), so no connection or cookie crosses scenarios.
// Exits at the end of stdin.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class Fetch {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--serve")) {
            serve();
            return;
        }
        String method = args[0];
        String url = args[1];
        String bodyFile = args[2];
        String headersFile = args[3];
        int count = args.length > 4 ? countOf(args[4]) : 1;
        try {
            byte[] body = bodyFile.isEmpty() ? null : Files.readAllBytes(Path.of(bodyFile));
            List<String[]> headers = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(headersFile))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.add(new String[] {
                        line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
                }
            }
            System.out.println(run(method, url, body, headers, count));
        } catch (Exception e) {
            System.err.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(1);
        }
    }

    static int countOf(String s) {
        return s != null && s.matches("[1-5]") ? Integer.parseInt(s) : 1;
    }

    /** One scenario through a new HttpClient; the last delivered status. */
    static int run(String method, String url, byte[] body, List<String[]> headers, int count)
            throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(method, publisher)
                .timeout(Duration.ofSeconds(30));
        for (String[] h : headers) {
            request.header(h[0], h[1]);
        }
        int status = 0;
        for (int i = 0; i < count; i++) {
            HttpResponse<byte[]> response =
                    client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            status = response.statusCode();
        }
        return status;
    }

    static void serve() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("@@redirspec {\"ready\":true}");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            String answer;
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> s = (Map<String, Object>) new Json(line).value();
                List<String[]> headers = new ArrayList<>();
                for (Object h : (List<?>) s.get("headers")) {
                    List<?> pair = (List<?>) h;
                    headers.add(new String[] {(String) pair.get(0), (String) pair.get(1)});
                }
                Object b = s.get("body");
                byte[] body = null;
                if (b != null) {
                    List<?> bytes = (List<?>) b;
                    body = new byte[bytes.size()];
                    for (int k = 0; k < body.length; k++) {
                        body[k] = (byte) ((Long) bytes.get(k)).intValue();
                    }
                }
                Object c = s.get("count");
                int status = run((String) s.get("method"), (String) s.get("url"), body, headers,
                        countOf(c == null ? null : c.toString()));
                answer = "{\"status\":" + status + "}";
            } catch (Exception e) {
                answer = "{\"error\":" + quote(e.getClass().getSimpleName() + ": " + e.getMessage()) + "}";
            }
            System.out.println("@@redirspec " + answer);
            System.out.flush();
        }
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                b.append('\\').append(ch);
            } else if (ch < 0x20) {
                b.append(String.format("\\u%04x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        return b.append('"').toString();
    }

    /** A small JSON reader: objects, arrays, strings, integers, true/false/null. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            if (i >= s.length()) {
                throw new IllegalArgumentException("JSON ends early");
            }
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                skip();
                if (peek('}')) {
                    return m;
                }
                do {
                    skip();
                    String key = string();
                    skip();
                    expect(':');
                    m.put(key, value());
                    skip();
                } while (peek(','));
                expect('}');
                return m;
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                skip();
                if (peek(']')) {
                    return l;
                }
                do {
                    l.add(value());
                    skip();
                } while (peek(','));
                expect(']');
                return l;
            }
            if (c == '"') {
                return string();
            }
            for (String word : new String[] {"true", "false", "null"}) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            int start = i;
            while (i < s.length() && "-0123456789".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("unexpected '" + c + "' at " + i);
            }
            return Long.parseLong(s.substring(start, i));
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'n': b.append('\n'); break;
                    case 'r': b.append('\r'); break;
                    case 't': b.append('\t'); break;
                    case 'u':
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                        break;
                    default: b.append(e);
                }
            }
            throw new IllegalArgumentException("unterminated string");
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
        }
    }
}
