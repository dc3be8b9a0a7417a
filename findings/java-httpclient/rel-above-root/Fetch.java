// redirspec live adapter for java.net.http.HttpClient, followRedirects(NORMAL).
// Usage: java -cp DIR Fetch METHOD URL BODY_FILE|"" HEADERS_FILE [COUNT]
// HEADERS_FILE holds one "Name: value" line per header. COUNT (default 1): the request is sent
// that many times in a row through one HttpClient.
// Prints the delivered status on stdout and exits 0; prints the error on stderr and exits 1.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

public class Fetch {
    public static void main(String[] args) {
        String method = args[0];
        String url = args[1];
        String bodyFile = args[2];
        String headersFile = args[3];
        int count = args.length > 4 && args[4].matches("[1-5]") ? Integer.parseInt(args[4]) : 1;
        try {
            HttpClient client = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            HttpRequest.BodyPublisher body = bodyFile.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(Path.of(bodyFile)));
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                    .method(method, body)
                    .timeout(Duration.ofSeconds(30));
            for (String line : Files.readAllLines(Path.of(headersFile))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    request.header(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
            int status = 0;
            for (int i = 0; i < count; i++) {
                HttpResponse<byte[]> response =
                        client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                status = response.statusCode();
            }
            System.out.println(status);
        } catch (Exception e) {
            System.err.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
