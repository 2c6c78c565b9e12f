package dev.graft.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.spi.SLF4JServiceProvider;
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

    @Test
    void camelGraftBringsNoLoggingBindingAndNoneOfTheCommandLinesLibraries() {
        List<String> providers = ServiceLoader.load(SLF4JServiceProvider.class).stream()
                .map(p -> p.type().getName()).toList();
        assertThat(providers).as("SLF4J providers on the application's class path: Logback, the application's own")
                .containsExactly("ch.qos.logback.classic.spi.LogbackServiceProvider");
        for (String cliOnly : List.of("picocli.CommandLine", "org.eclipse.jetty.server.Server", "io.vertx.core.Vertx", "org.sqlite.JDBC",
                "org.quartz.Scheduler", "dev.graft.cli.GraftCli", "dev.graft.service.GraftService")) {
            assertThat(present(cliOnly)).as("%s (graft-cli's, not the component's)", cliOnly).isFalse();
        }
        assertThat(present("dev.graft.engine.GraftComponent")).isTrue();
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, SpringBootApplicationTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
