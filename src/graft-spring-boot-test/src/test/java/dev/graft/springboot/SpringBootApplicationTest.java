package dev.graft.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The smallest Spring Boot application there is, with camel-spring-boot-starter and Graft on its class path: Camel
 * loads the demo's YAML routes from routes/ (one property), finds the {@code graft:} component by its scheme, and the
 * transfer route trains, evaluates and publishes with its lineage and report, as under {@code graft run}.
 */
class SpringBootApplicationTest {

    @SpringBootApplication
    static class App {
    }

    @Test
    void theDemosTransferRouteRunsInASpringBootApplication(@TempDir Path registry) throws Exception {
        SpringApplication app = new SpringApplication(App.class);
        app.setDefaultProperties(Map.of(
                "camel.main.routes-include-pattern", "file:routes/pretrain-backbone.yaml,file:routes/fashion-transfer.yaml",
                "graft.registry", registry.toString()));
        try (ConfigurableApplicationContext spring = app.run()) {
            CamelContext camel = spring.getBean(CamelContext.class);
            try (ProducerTemplate template = camel.createProducerTemplate()) {
                Exchange pretrain = template.send("direct:pretrain-backbone", e -> { });
                assertThat(pretrain.getException()).isNull();
                Exchange transfer = template.send("direct:fashion-transfer", e -> { });
                assertThat(transfer.getException()).isNull();
                assertThat(transfer.getIn().getHeader("GraftAccuracy", Double.class)).isGreaterThan(0.8);
            }
        }
        Path version = registry.resolve("fashion-5-9").resolve("versions").resolve("1");
        Map<?, ?> meta = new ObjectMapper().readValue(version.resolve("metadata.json").toFile(), Map.class);
        assertThat(meta.get("routeFile")).isEqualTo("routes/fashion-transfer.yaml");
        assertThat(meta.get("routeId")).isEqualTo("fashion-transfer");
        assertThat(Files.readString(version.resolve("report.html"))).contains(meta.get("runId").toString());
        System.out.println("spring-boot: fashion-transfer test accuracy "
                + ((Map<?, ?>) meta.get("metrics")).get("accuracy"));
    }
}
