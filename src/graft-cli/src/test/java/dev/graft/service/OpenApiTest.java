package dev.graft.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The document served at /openapi.json is valid OpenAPI 3 and names only what the service serves. */
class OpenApiTest {

    private static final List<String> HTTP_API_OWN = List.of("/health", "/metrics", "/runs", "/runs/{id}",
            "/routes/{id}/runs", "/models", "/models/{name}/predict");

    private static SwaggerParseResult parsed() {
        Answer.Asset asset = (Answer.Asset) new Console(null, null, s -> s, false).asset("openapi.json");
        return new OpenAPIV3Parser().readContents(new String(asset.bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void parsesAsOpenApi3WithoutMessages() {
        SwaggerParseResult result = parsed();
        assertThat(result.getMessages()).isEmpty();
        OpenAPI api = result.getOpenAPI();
        assertThat(api.getOpenapi()).startsWith("3.");
        assertThat(api.getPaths()).containsKeys("/versions", "/models/{name}/versions/{version}/{artifact}",
                "/models/{name}/aliases/{alias}", "/openapi.json");
        assertThat(api.getComponents().getSecuritySchemes()).containsKey("bearer");
    }

    @Test
    void everyOperationItDocumentsIsServed() {
        Map<String, String> samples = Map.of("{name}", "toy", "{version}", "1", "{alias}", "champion", "{id}", "r1",
                "{artifact}", "model.zip");
        for (Map.Entry<String, PathItem> e : parsed().getOpenAPI().getPaths().entrySet()) {
            String path = e.getKey();
            for (PathItem.HttpMethod method : e.getValue().readOperationsMap().keySet()) {
                String concrete = path;
                for (Map.Entry<String, String> s : samples.entrySet()) {
                    concrete = concrete.replace(s.getKey(), s.getValue());
                }
                boolean served = HTTP_API_OWN.contains(path)
                        || ApiRoutes.serves(method.name(), HttpReplies.segments(concrete));
                assertThat(served).as(method + " " + path).isTrue();
                if (path.equals("/runs/{id}/report.html")) {
                    assertThat(security(e.getValue(), method)).isFalse();
                }
                if (method != PathItem.HttpMethod.GET && !path.endsWith("/predict")) {
                    assertThat(security(e.getValue(), method)).as(method + " " + path + " needs the token").isTrue();
                }
            }
        }
    }

    private static boolean security(PathItem item, PathItem.HttpMethod method) {
        var security = item.readOperationsMap().get(method).getSecurity();
        return security != null && !security.isEmpty();
    }
}
