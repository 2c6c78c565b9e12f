import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import dev.graft.spi.TransientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** POSTs a JSON summary of the run (verdict, metrics, published version) to a URL. */
public final class NotifyWebhookStep implements Step {

    private static final Logger LOG = LoggerFactory.getLogger(NotifyWebhookStep.class);
    // the Jackson that ships with DL4J (graft-spi's own dependency), so the plugin needs nothing of Graft's
    private static final ObjectMapper JSON = new ObjectMapper();

    static final OptionSpec<URI> URL = OptionSpec.parsed("url", "url", null, text -> {
        if (!text.startsWith("http://") && !text.startsWith("https://")) {
            throw new IllegalArgumentException("an http:// or https:// URL");
        }
        return URI.create(text);
    }, "The http(s) URL to POST to.").require();
    static final OptionSpec<Integer> TIMEOUT = OptionSpec.integer("timeoutSeconds", 10, "Connect and answer timeout; "
            + "default 10.").check(n -> n >= 1, "at least 1");
    static final OptionSpec<Boolean> FAIL_ON_ERROR = OptionSpec.bool("failOnError", false, "Fail the run when the POST "
            + "fails; default false: log a warning and go on (the model is already published).");
    static final OptionSpec<String> TOKEN = OptionSpec.string("token", null, "Sent as 'Authorization: Bearer <token>'.");

    record Options(URI url, int timeoutSeconds, boolean failOnError, String token) {
    }

    @Override
    public String name() {
        return "notify-webhook";
    }

    @Override
    public String description() {
        return "POSTs a JSON run summary (route, run id, verdict and reason, metrics, published model and version, "
                + "data set) to a URL, e.g. a chat or CI webhook; use after publish.";
    }

    @Override
    public List<OptionSpec<?>> options() {
        return List.of(URL, TIMEOUT, FAIL_ON_ERROR, TOKEN);
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.get(URL), o.get(TIMEOUT), o.get(FAIL_ON_ERROR), o.find(TOKEN).orElse(null));
        return context -> run(options, context);
    }

    static Map<String, Object> summary(RunContext context) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("event", "graft.run.finished");
        s.put("runId", context.runId());
        s.put("routeId", context.routeId());
        context.evaluation().ifPresent(e -> {
            s.put("verdict", Map.of("outcome", e.verdict().outcome().name(), "reason", e.verdict().reason()));
            s.put("metrics", Map.of("accuracy", e.accuracy(), "precision", e.precision(), "recall", e.recall(),
                    "f1", e.f1(), "testExamples", e.examples()));
        });
        context.published().ifPresent(p -> s.put("model", Map.of("name", p.name(), "version", p.version(),
                "path", p.directory().toString(), "aliases", p.aliases())));
        context.data().ifPresent(d -> s.put("dataset", Map.of("source", d.source(), "sha256", d.sha256())));
        List<Map<String, Object>> steps = new ArrayList<>();
        context.timings().forEach(t -> steps.add(Map.of("step", t.step(), "seconds", t.seconds())));
        s.put("steps", steps);
        return s;
    }

    private static void run(Options o, RunContext context) throws Exception {
        byte[] body = JSON.writeValueAsBytes(summary(context));
        HttpRequest.Builder request = HttpRequest.newBuilder(o.url())
                .timeout(Duration.ofSeconds(o.timeoutSeconds()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (o.token() != null) {
            request.header("Authorization", "Bearer " + o.token());
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(o.timeoutSeconds())).build();
        String problem;
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                context.console().line("notify-webhook: POSTed run summary to " + o.url() + " (HTTP " + response.statusCode() + ")");
                return;
            }
            problem = "answered HTTP " + response.statusCode();
        } catch (java.io.IOException e) {
            problem = "failed: " + e;
        }
        String message = "notify-webhook: POST to '" + o.url() + "' " + problem + "; expected a 2xx answer";
        if (o.failOnError()) {
            throw new TransientException(message, null);
        }
        LOG.warn("{}; the run goes on because failOnError=false (the notification is lost)", message);
    }
}
