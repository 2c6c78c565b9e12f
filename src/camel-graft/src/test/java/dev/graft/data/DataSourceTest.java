package dev.graft.data;

import dev.graft.spi.DataSplits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.TransientException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourceTest {

    @TempDir
    Path dir;

    private HttpServer server;
    private String base;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        Path csv = TestData.writeText(dir.resolve("served.csv"), "label,a,b\n0,1,2\n1,3,4\n0,5,6\n1,7,8\n");
        Path zip = TestData.zipEntries(dir.resolve("served.zip"),
                Map.of("train.csv", Files.readAllBytes(csv)));
        serve("/data/iris.csv", 200, Files.readAllBytes(csv));
        serve("/data/bundle.zip", 200, Files.readAllBytes(zip));
        serve("/broken", 503, "busy".getBytes(StandardCharsets.UTF_8));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void serve(String path, int status, byte[] body) {
        server.createContext(path, exchange -> {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void downloadsACsvFileAndRecordsTheUrlAsSource() {
        DataSplits data = DatasetLoader.load(FetchSpec.defaults(base + "/data/iris.csv"), null);

        assertThat(data.source()).isEqualTo(base + "/data/iris.csv");
        assertThat(data.train().size() + data.test().size()).isEqualTo(4);
        assertThat(data.exampleShape()).containsExactly(2);
    }

    @Test
    void downloadsAZipAndNamesFilesInsideItByTheUrl() {
        DataSplits data = DatasetLoader.load(FetchSpec.defaults(base + "/data/bundle.zip"), null);

        assertThat(data.train().size()).isEqualTo(3);
    }

    @Test
    void namesTheUrlAndStatusWhenTheServerHasNoSuchFile() {
        String url = base + "/data/missing.zip";

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(url), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("download of '" + url + "' answered HTTP 404");
    }

    @Test
    void treatsAServerErrorAsTransient() {
        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(base + "/broken"), null))
                .isInstanceOf(TransientException.class)
                .hasMessageContaining("answered HTTP 503")
                .matches(e -> ((TransientException) e).retryable());
    }

    @Test
    void treatsARefusedConnectionAsTransient() {
        String url = base + "/data/iris.csv";
        server.stop(0);

        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults(url), null))
                .isInstanceOf(TransientException.class)
                .hasMessageContaining("download failed '" + url + "'");
    }

    @Test
    void refusesAMalformedUrl() {
        assertThatThrownBy(() -> DatasetLoader.load(FetchSpec.defaults("http://exa mple.com/x.zip"), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("source is not a valid URL 'http://exa mple.com/x.zip'");
    }

    @Test
    void keepsOnlySafeCharactersOfTheDownloadedFileName() {
        assertThat(DataSource.fileName("/a/b/mnist data.zip")).isEqualTo("mnist_data.zip");
        assertThat(DataSource.fileName("/")).isEqualTo("download");
        assertThat(DataSource.fileName("/..")).isEqualTo("download");
    }
}
