package dev.graft.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.TinyRoutes;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.testing.ColourImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * POST /models/{name}/predict with image files: a raw PNG body, multipart parts and base64 in JSON answer the class
 * that the numbers of the same images (RGB planes / 255, as the input contract says) get; what does not fit the
 * contract is a 400 naming what was expected.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictImagesTest {

    private static final String TOKEN = "t0ken";
    private static final int SIDE = ColourImages.SIDE;

    private Path dir;
    private GraftService service;
    private URI predict;
    private final byte[][] pngs = new byte[3][];
    private final BufferedImage[] images = new BufferedImage[3];

    @BeforeAll
    void publishAColourModelAndServeIt() throws Exception {
        dir = Files.createTempDirectory("graft-predict-images");
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path registry = dir.resolve("registry");
        Path route = TinyRoutes.directRoute(routes, "colours", """
                - to: graft:fetch-dataset?source=%s&channels=3&testFraction=0.2&seed=3
                - to: graft:create-model?architecture=mlp&seed=1
                - to: graft:train?epochs=6&batchSize=16&learningRate=2e-3&seed=1
                - to: graft:publish?registry=%s&name=colours&alias=champion
                """.formatted(ColourImages.write(dir.resolve("data"), 30, 5), registry));
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of())) {
            engine.load(route);
            engine.prepareRunOnce();
            assertThat(engine.runOnce("colours").published()).isPresent();
        }
        Random random = new Random(99);
        for (int k = 0; k < 3; k++) {
            images[k] = ColourImages.image(k, SIDE, random);
            pngs[k] = png(images[k]);
        }
        service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("state"), "127.0.0.1", 0,
                TOKEN, Duration.ofSeconds(20), StepRegistry.discover(), Map.of()));
        service.start();
        predict = URI.create("http://127.0.0.1:" + service.address().getPort() + "/models/colours/predict");
    }

    @AfterAll
    void stop() throws IOException {
        service.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** The example of an image as the contract says: R, G and B planes, each value / 255, as a JSON list. */
    private static String numbers(BufferedImage image) {
        StringBuilder json = new StringBuilder("[");
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int value = image.getRGB(x, y) >> (16 - 8 * c) & 0xff;
                    json.append(json.length() > 1 ? "," : "").append(value / 255f);
                }
            }
        }
        return json.append(']').toString();
    }

    private HttpResponse<String> post(String contentType, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(predict).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postJson(String json) throws Exception {
        return post("application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** Each prediction's "class id/label". */
    @SuppressWarnings("unchecked")
    private static List<String> classes(HttpResponse<String> answer) throws IOException {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        List<Map<String, Object>> predictions = (List<Map<String, Object>>) new ObjectMapper()
                .readValue(answer.body(), Map.class).get("predictions");
        return predictions.stream().map(p -> p.get("class") + "/" + p.get("label")).toList();
    }

    @Test
    void aPngBodyMultipartAndBase64AnswerTheClassesOfTheSameImagesAsNumbers() throws Exception {
        List<String> fromNumbers = classes(postJson("{\"instances\": [" + numbers(images[0]) + "," + numbers(images[1])
                + "," + numbers(images[2]) + "]}"));

        assertThat(fromNumbers).containsExactly("2/red", "1/green", "0/blue");
        assertThat(classes(post("image/png", pngs[0]))).containsExactly(fromNumbers.get(0));
        String boundary = "graftBoundary7";
        ByteArrayOutputStream multipart = new ByteArrayOutputStream();
        for (int k = 0; k < 3; k++) {
            multipart.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + k
                    + ".png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            multipart.writeBytes(pngs[k]);
            multipart.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        multipart.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(classes(post("multipart/form-data; boundary=" + boundary, multipart.toByteArray())))
                .isEqualTo(fromNumbers);
        String base64 = "{\"images\": [\"" + Base64.getEncoder().encodeToString(pngs[0]) + "\", \"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(pngs[2]) + "\"]}";
        assertThat(classes(postJson(base64))).containsExactly(fromNumbers.get(0), fromNumbers.get(2));
    }

    @Test
    void whatDoesNotFitTheContractIsA400NamingWhatWasExpected() throws Exception {
        HttpResponse<String> shortRow = postJson("{\"instances\": [[0.1, 0.2, 0.3]]}");
        assertThat(shortRow.statusCode()).isEqualTo(400);
        assertThat(shortRow.body()).contains("has 3 values; expected 768");

        HttpResponse<String> small = post("image/png", png(ColourImages.image(0, 8, new Random(1))));
        assertThat(small.statusCode()).isEqualTo(400);
        assertThat(small.body()).contains("predict: image 0 is 8x8 (height x width); expected 16x16");

        HttpResponse<String> notAnImage = post("image/jpeg", "not a jpeg".getBytes(StandardCharsets.UTF_8));
        assertThat(notAnImage.statusCode()).isEqualTo(400);
        assertThat(notAnImage.body()).contains("predict: not a readable image 'image 0'");

        HttpResponse<String> noPart = post("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; "
                .concat("name=\"x\"\r\n\r\nhello\r\n--b--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(noPart.statusCode()).isEqualTo(400);
        assertThat(noPart.body()).contains("multipart body has no image part");
    }

    @Test
    void aVersionWithoutAContractTakesNumbersButRefusesImagesSayingSo() {
        ModelServer.Served old = new ModelServer.Served("old", 1, null, new long[] {4}, List.of(), null);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PredictImages.examples(List.of(pngs[0]), old))
                .isInstanceOf(PredictBody.Refused.class)
                .hasMessageContaining("old v1 records no input contract")
                .hasMessageContaining("expected {\"instances\"");
    }
}
