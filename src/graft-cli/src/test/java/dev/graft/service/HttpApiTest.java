package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static dev.graft.service.ServeFixtures.csv;
import static dev.graft.service.ServeFixtures.drop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.engine.StepRegistry;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.ConfigurationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP API under attack, over raw sockets so that nothing normalises what is sent. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {

    private static final String TOKEN = "s3cret";
    private static final int MAX_BATCH = 8;

    private Path dir;
    private Path registry;
    private Path inbox;
    private GraftService service;
    private int port;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("graft-http-test");
        inbox = Files.createDirectories(dir.resolve("inbox"));
        registry = dir.resolve("registry");
        Path routes = ServeFixtures.route(dir, inbox, registry, 3);
        service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("state"), "127.0.0.1", 0,
                TOKEN, Duration.ofSeconds(20), StepRegistry.discover(), Map.of())
                .withHttp(HttpOptions.defaults().withMaxBatch(MAX_BATCH)));
        service.start();
        port = service.address().getPort();
        drop(inbox, "good.csv", csv(200, 1, false));
        await("v1", Duration.ofSeconds(60), () -> new ModelRegistry(registry).aliases("toy").containsKey("champion"));
        await("its run recorded", Duration.ofSeconds(10), () -> service.runs().list(10).stream()
                .anyMatch(r -> r.status().equals("succeeded")));
    }

    @AfterAll
    void stop() throws IOException {
        service.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    record Answer(int status, String body, long millis) {
    }

    /** Sends a request as written (Host and Connection: close added unless present) and reads the whole answer. */
    private Answer raw(String head, byte[] body) throws IOException {
        long start = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            String request = head;
            if (!request.contains("\r\nHost:")) {
                request = request.replaceFirst("\r\n", "\r\nHost: 127.0.0.1:" + port + "\r\n");
            }
            if (!request.contains("\r\nConnection:")) {
                request = request.replaceFirst("\r\n", "\r\nConnection: close\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            byte[] answer = s.getInputStream().readAllBytes();
            String text = new String(answer, StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            return new Answer(status, split < 0 ? "" : text.substring(split + 4), (System.nanoTime() - start) / 1_000_000);
        }
    }

    private Answer get(String path, String... headers) throws IOException {
        return raw("GET " + path + " HTTP/1.1\r\n" + String.join("", Arrays.stream(headers).map(h -> h + "\r\n").toList())
                + "\r\n", null);
    }

    private Answer predict(String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return raw("POST /models/toy/predict HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n\r\n", bytes);
    }

    @Test
    void aWellFormedPredictionIsAnswered() throws IOException {
        Answer a = predict("{\"instances\": [[0.5, 1.0, 1.5, 2.0], [-0.5, -1.0, -1.5, -2.0]]}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).contains("\"version\":1").contains("\"predictions\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "not json", "[1,2,3]", "\"text\"", "null", "true", "42", "{}", "{\"instances\": null}",
        "{\"instances\": \"x\"}", "{\"instances\": {}}", "{\"instances\": []}", "{\"instances\": [1, 2]}",
        "{\"instances\": [[\"a\", 1, 2, 3]]}", "{\"instances\": [[null, 1, 2, 3]]}", "{\"instances\": [[true, 1, 2, 3]]}",
        "{\"instances\": [[[1], 1, 2, 3]]}", "{\"instances\": [[{\"a\": 1}, 1, 2, 3]]}", "{\"instances\": [[1, 2, 3]]}",
        "{\"instances\": [[1, 2, 3, 4, 5]]}", "{\"instances\": [[]]}", "{\"instances\": [[1, 2, 3, 4]], \"instances\": []}",
        "{\"instances\": [[1, 2, 3, 4]]} trailing", "{\"instances\": [[1, 2, 3, 4]]", "{\"instances\": [[1, 2, 3, 4]],}",
        "{\"instances\": [[1e400, 0, 0, 0]]}", "{\"instances\": [[0, NaN, 0, 0]]}", "{\"instances\": [[0, 0, Infinity, 0]]}",
        "{\"instances\": [[0, 0, 0, -1e39]]}", "{\"instances\": [[1, 2, 3, 4], [1, 2, 3]]}"
    })
    void everyMalformedPredictBodyIsAnswered400(String body) throws IOException {
        Answer a = predict(body);
        assertThat(a.status()).as(body + " -> " + a.body()).isEqualTo(400);
        assertThat(a.body()).startsWith("{\"error\":\"predict: ");
    }

    @Test
    void nonFiniteValuesAreRefusedNamingTheInstanceAndIndex() throws IOException {
        assertThat(predict("{\"instances\": [[0, 0, 0, 0], [0, 0, 1e400, 0]]}").body())
                .contains("instance 1 index 2 is '1e400'");
        assertThat(predict("{\"instances\": [[0, NaN, 0, 0]]}").body()).contains("instance 0 index 1 is 'NaN'");
    }

    @Test
    void aBatchAboveTheLimitIsRefused() throws IOException {
        String one = "[0.5, 1.0, 1.5, 2.0]";
        String body = "{\"instances\": [" + String.join(",", java.util.Collections.nCopies(MAX_BATCH + 1, one)) + "]}";
        Answer a = predict(body);
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.body()).contains("more than " + MAX_BATCH + " instances");
        assertThat(predict("{\"instances\": [" + String.join(",", java.util.Collections.nCopies(MAX_BATCH, one)) + "]}")
                .status()).isEqualTo(200);
    }

    @Test
    void aDeclared200MegabyteBodyIsRefusedWith413BeforeItIsSent() throws IOException {
        Answer a = raw("POST /models/toy/predict HTTP/1.1\r\nContent-Length: 200000000\r\n\r\n", "{\"inst".getBytes());
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.body()).contains("too large");
        assertThat(a.millis()).as("ms to the 413").isLessThan(2000);
        System.out.println("413 for a declared 200 MB body after " + a.millis() + " ms");
    }

    @Test
    void aChunked200MegabyteBodyIsCutOffWith413AfterTheLimit() throws Exception {
        AtomicLong sent = new AtomicLong();
        long start = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /models/toy/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: application/json\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[1 << 16];
                Arrays.fill(chunk, (byte) ' ');
                chunk[0] = '{';
                byte[] head = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                try {
                    while (sent.get() < 200_000_000L) {
                        out.write(head);
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        sent.addAndGet(chunk.length);
                        chunk[0] = ' ';
                    }
                } catch (IOException e) {
                    // the server closed the connection after its 413: what the test expects
                }
            });
            writer.start();
            String status = statusLine(s.getInputStream());
            long millis = (System.nanoTime() - start) / 1_000_000;
            writer.join(30_000);
            assertThat(status).contains(" 413 ");
            assertThat(sent.get()).as("bytes sent before the server stopped reading").isLessThan(100_000_000L);
            System.out.println("413 for a chunked body after " + millis + " ms and " + sent.get() / (1 << 20) + " MiB sent");
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "%2e%2e", "%2E%2E", ".", "%2e", "a%2Fb", "%2F", "-x", "a%20b", "..%2f..", "%00", "%zz"})
    void namesThatAreNotPlainNamesAreRefusedOnEveryPath(String name) throws IOException {
        assertThat(raw("POST /models/" + name + "/predict HTTP/1.1\r\nContent-Length: 2\r\n\r\n", "{}".getBytes()).status())
                .as("predict " + name).isEqualTo(400);
        assertThat(get("/runs/" + name).status()).as("run " + name).isEqualTo(400);
        assertThat(raw("POST /routes/" + name + "/runs HTTP/1.1\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Length: 0\r\n\r\n", null).status()).as("trigger " + name).isEqualTo(400);
    }

    @Test
    void aModelOutsideTheRegistryIsNeverReached() throws IOException {
        // what the escape needed: a version planted in the registry's parent
        Path planted = dir.resolve("versions").resolve("1");
        Files.createDirectories(planted);
        Answer a = raw("POST /models/../predict HTTP/1.1\r\nContent-Length: 2\r\n\r\n", "{}".getBytes());
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body()).contains("'..'");
        assertThat(predict("{\"instances\": [[0.5, 1.0, 1.5, 2.0]]}").status()).isEqualTo(200);
        assertThat(raw("POST /models/nope/predict HTTP/1.1\r\nContent-Length: 2\r\n\r\n", "{}".getBytes()).status())
                .isEqualTo(404);
    }

    @Test
    void hostsOutsideTheAllowListAreRefused() throws IOException {
        assertThat(get("/health", "Host: evil.example").status()).isEqualTo(400);
        assertThat(get("/runs", "Host: evil.example:" + port).body()).contains("Host 'evil.example:" + port + "' is not allowed");
        assertThat(get("/health", "Host: localhost:" + port).status()).isEqualTo(200);
        assertThat(get("/health", "Host: 127.0.0.1").status()).isEqualTo(200);
        assertThat(get("/health", "Host: [::1]:" + port).status()).isEqualTo(200);
    }

    @Test
    void runsShowNoAbsolutePathUnlessAskedWithTheToken() throws IOException {
        Answer runs = get("/runs");
        assertThat(runs.status()).isEqualTo(200);
        assertThat(runs.body()).contains("\"inputFile\":\"good.csv\"").doesNotContain(dir.toString())
                .doesNotContain("/tmp/");
        assertThat(get("/runs?paths=absolute").status()).isEqualTo(401);
        Answer absolute = get("/runs?paths=absolute", "Authorization: Bearer " + TOKEN);
        assertThat(absolute.status()).isEqualTo(200);
        assertThat(absolute.body()).contains(inbox.resolve("good.csv").toString());
    }

    @Test
    void theModelServerKeepsServingTheLastGoodVersionWhenTheAliasMovesToABrokenOne() throws Exception {
        assertThat(predict("{\"instances\": [[0.5, 1.0, 1.5, 2.0]]}").body()).contains("\"version\":1");
        ModelRegistry models = new ModelRegistry(registry);
        drop(inbox, "noise.csv", csv(200, 2, true)); // fails the gate: v2 published, champion stays
        await("v2", Duration.ofSeconds(60), () -> models.versions("toy").contains(2));
        Files.write(registry.resolve("toy/versions/2/model.zip"), new byte[] {'P', 'K', 1, 2, 3});
        models.promote("toy", "champion", 2);
        for (int i = 0; i < 3; i++) {
            Answer a = predict("{\"instances\": [[0.5, 1.0, 1.5, 2.0]]}");
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).contains("\"version\":1");
        }
        models.promote("toy", "champion", 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 64})
    void slowAndIdleClientsDoNotDelayHealth(int clients) throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                Socket slow = new Socket("127.0.0.1", port); // a body that trickles in
                slow.getOutputStream().write(("POST /models/toy/predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Length: 100000\r\n\r\n{\"instances\": [[").getBytes(StandardCharsets.ISO_8859_1));
                slow.getOutputStream().flush();
                held.add(slow);
                Socket idle = new Socket(); // connected, never a byte
                idle.connect(new InetSocketAddress("127.0.0.1", port));
                held.add(idle);
                Socket headers = new Socket("127.0.0.1", port); // half a request line
                headers.getOutputStream().write("GET /he".getBytes(StandardCharsets.ISO_8859_1));
                held.add(headers);
            }
            Thread.sleep(500);
            long worst = 0;
            for (int i = 0; i < 10; i++) {
                Answer a = get("/health");
                assertThat(a.status()).isEqualTo(200);
                worst = Math.max(worst, a.millis());
            }
            System.out.println("/health with " + clients + " slow, " + clients + " idle and " + clients
                    + " half-sent clients: worst of 10 " + worst + " ms");
            assertThat(worst).as("worst /health latency in ms").isLessThan(1000);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void keepAliveAnswersHaveNoNagleFloor() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long[] millis = new long[40];
            for (int i = 0; i < millis.length; i++) {
                long start = System.nanoTime();
                out.write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                readOneResponse(in);
                millis[i] = (System.nanoTime() - start) / 1_000;
            }
            Arrays.sort(millis);
            long p50 = millis[millis.length / 2];
            System.out.println("keep-alive /health p50 " + p50 + " us");
            assertThat(p50).as("median keep-alive latency in microseconds").isLessThan(20_000);
        }
    }

    private static void readOneResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            head.append((char) b);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        in.readNBytes(length);
    }

    @Test
    void withTheTokenRequiredEveryEndpointButHealthNeedsIt() throws Exception {
        Path other = Files.createDirectories(dir.resolve("locked"));
        Path routes = ServeFixtures.route(other, Files.createDirectories(other.resolve("inbox")), other.resolve("registry"), 1);
        try (GraftService locked = new GraftService(new GraftService.Settings(routes, registry, other.resolve("state"),
                "127.0.0.1", 0, TOKEN, Duration.ofSeconds(5), StepRegistry.discover(), Map.of())
                .withHttp(HttpOptions.defaults().withRequireToken(true)))) {
            locked.start();
            int p = locked.address().getPort();
            for (String path : List.of("/runs", "/models", "/metrics", "/runs/x")) {
                var open = ServeFixtures.http("GET", java.net.URI.create("http://127.0.0.1:" + p + path), null, null);
                assertThat(open.statusCode()).as(path).isEqualTo(401);
                var withToken = ServeFixtures.http("GET", java.net.URI.create("http://127.0.0.1:" + p + path), null, TOKEN);
                assertThat(withToken.statusCode()).as(path + " with the token").isIn(200, 404);
            }
            var predict = ServeFixtures.http("POST", java.net.URI.create("http://127.0.0.1:" + p + "/models/toy/predict"),
                    "{\"instances\": [[0.5, 1.0, 1.5, 2.0]]}", null);
            assertThat(predict.statusCode()).isEqualTo(401);
            assertThat(ServeFixtures.http("POST", java.net.URI.create("http://127.0.0.1:" + p + "/models/toy/predict"),
                    "{\"instances\": [[0.5, 1.0, 1.5, 2.0]]}", TOKEN).statusCode()).isEqualTo(200);
            assertThat(ServeFixtures.http("GET", java.net.URI.create("http://127.0.0.1:" + p + "/health"), null, null)
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aNonLoopbackHostWithoutATokenDoesNotStart() throws Exception {
        Path other = Files.createDirectories(dir.resolve("open"));
        Path routes = ServeFixtures.route(other, Files.createDirectories(other.resolve("inbox")), other.resolve("registry"), 1);
        GraftService open = new GraftService(new GraftService.Settings(routes, other.resolve("registry"),
                other.resolve("state"), "0.0.0.0", 0, null, Duration.ofSeconds(5), StepRegistry.discover(), Map.of()));
        try {
            assertThatThrownBy(open::start).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("'0.0.0.0', not a loopback address").hasMessageContaining("--token-file");
        } finally {
            open.close();
        }
    }

    @Test
    void aBodyThatTricklesInIsAbandoned() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /models/toy/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n{")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            long start = System.nanoTime();
            Thread trickle = new Thread(() -> {
                try {
                    for (int i = 0; i < 60; i++) {
                        Thread.sleep(250);
                        out.write(' ');
                        out.flush();
                    }
                } catch (Exception e) {
                    // closed by the server: expected
                }
            });
            trickle.start();
            String status = statusLine(s.getInputStream());
            long millis = (System.nanoTime() - start) / 1_000_000;
            trickle.interrupt();
            System.out.println("a trickling body (4 bytes/s) answered '" + status + "' after " + millis + " ms");
            assertThat(status).startsWith("HTTP/1.1 408 ");
            assertThat(millis).isLessThan(10_000);
        }
    }
}
