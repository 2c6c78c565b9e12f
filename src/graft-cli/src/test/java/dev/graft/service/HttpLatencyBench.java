package dev.graft.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Latency and throughput of a few endpoints of an in-process {@code graft serve}, over keep-alive raw sockets; an
 * indication, not a test: {@code java -cp <test class path> dev.graft.service.HttpLatencyBench [seconds] [clients]}.
 */
final class HttpLatencyBench {

    private static final Pattern LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

    private HttpLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dir = Files.createTempDirectory("graft-http-bench");
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path routes = ServeFixtures.route(dir, inbox, dir.resolve("registry"), 1);
        try (GraftService service = new GraftService(new GraftService.Settings(routes, dir.resolve("registry"),
                dir.resolve("state"), "127.0.0.1", 0, "t", Duration.ofSeconds(5), dev.graft.engine.StepRegistry.discover(),
                Map.of()))) {
            service.start();
            int port = service.address().getPort();
            for (String path : System.getProperty("paths", "/health,/runs,/models,/metrics").split(",")) {
                latency(port, path, 300); // warm-up
                long[] micros = latency(port, path, 2000);
                double rate = throughput(port, path, clients, seconds);
                System.out.printf("%-8s keep-alive p50 %6d us  p99 %6d us   %d clients: %8.0f requests/s%n", path,
                        micros[micros.length / 2], micros[micros.length * 99 / 100], clients, rate);
            }
        }
    }

    private static long[] latency(int port, String path, int n) throws IOException {
        long[] micros = new long[n];
        try (Socket s = socket(port)) {
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                get(s, path);
                micros[i] = (System.nanoTime() - start) / 1000;
            }
        }
        Arrays.sort(micros);
        return micros;
    }

    private static double throughput(int port, String path, int clients, int seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            threads[c] = new Thread(() -> {
                try (Socket s = socket(port)) {
                    while (System.nanoTime() < end) {
                        get(s, path);
                        done.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return done.get() / (double) seconds;
    }

    static Socket socket(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        return s;
    }

    static void get(Socket s, String path) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b;
            try {
                b = in.read();
            } catch (java.net.SocketTimeoutException e) {
                throw new IOException(path + ": no answer after reading '" + head + "'", e);
            }
            if (b < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.append((char) b);
        }
        if (head.indexOf("HTTP/1.1 200") != 0) {
            throw new IOException(path + ": " + head);
        }
        Matcher m = LENGTH.matcher(head);
        in.readNBytes(m.find() ? Integer.parseInt(m.group(1)) : 0);
    }
}
