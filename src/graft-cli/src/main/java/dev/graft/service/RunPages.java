package dev.graft.service;

import static dev.graft.report.Html.esc;
import static dev.graft.service.ConsoleLayout.link;
import static dev.graft.service.ConsoleLayout.number;
import static dev.graft.service.ConsoleLayout.url;
import static dev.graft.service.ConsoleLayout.versionHref;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.registry.ModelRegistry;
import dev.graft.service.HttpReplies.Refusal;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The console's run pages: the history filtered by route, outcome and trigger, and one run with its steps. */
record RunPages(RunStore store, ModelRegistry registry, UnaryOperator<String> redact) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STATUSES = List.of("running", "succeeded", "failed", "interrupted", "duplicate");

    String list(Params q) {
        String route = q.word("route");
        String status = q.word("outcome");
        String trigger = q.word("trigger");
        if (status != null && !STATUSES.contains(status)) {
            throw new Refusal(400, "option 'outcome' is '" + status + "'; expected one of " + STATUSES);
        }
        List<RunRecord> runs = store.list(200, route, status, trigger);
        List<List<String>> rows = new ArrayList<>();
        boolean running = false;
        for (RunRecord r : runs) {
            running |= r.status().equals("running");
            rows.add(List.of(link("/ui/runs/" + url(r.id()), r.id()), esc(r.route()), esc(r.trigger()), state(r),
                    esc(r.verdict()), number(r.accuracy()), published(r), esc(r.startedAt())));
        }
        String form = "<form method=\"get\" action=\"/ui/runs\" class=\"search\">"
                + "<input name=\"route\" placeholder=\"route\" value=\"" + esc(route) + "\"> "
                + "<select name=\"outcome\"><option value=\"\">any outcome</option>" + options(status) + "</select> "
                + "<input name=\"trigger\" placeholder=\"file, schedule, http\" value=\"" + esc(trigger) + "\"> "
                + "<button type=\"submit\">Filter</button></form>";
        return ConsoleLayout.page("Runs", form + ConsoleLayout.table("runs", List.of("run", "route", "trigger", "status",
                "verdict", "accuracy", "published", "started"), rows), running);
    }

    private static String options(String selected) {
        StringBuilder s = new StringBuilder();
        for (String status : STATUSES) {
            s.append("<option").append(status.equals(selected) ? " selected" : "").append('>').append(status)
                    .append("</option>");
        }
        return s.toString();
    }

    /** The status; a running run says for how long it has run and where it stands. */
    private static String state(RunRecord r) {
        if (!r.status().equals("running")) {
            return esc(r.status());
        }
        String progress = r.progress() == null ? "" : " · " + esc(describe(r.progress()));
        try {
            long seconds = Duration.between(Instant.parse(r.startedAt()), Instant.now()).toSeconds();
            return "<span class=\"running\">running for " + seconds + " s" + progress + "</span>";
        } catch (DateTimeParseException e) {
            return "<span class=\"running\">running" + progress + "</span>";
        }
    }

    /** Where a run stands, as {@code train epoch 2/5 · batch 12/47 · ETA 8 s · loss 0.4132 · acc 0.8750}. */
    static String describe(dev.graft.metrics.RunProgress p) {
        StringBuilder s = new StringBuilder(p.phase());
        if (p.epochs() > 0) {
            s.append(" epoch ").append(p.epoch()).append('/').append(p.epochs());
        }
        s.append(" · batch ").append(p.batch()).append('/').append(p.batches());
        if (p.etaSeconds() != null) {
            s.append(" · ETA ").append(Math.round(p.etaSeconds())).append(" s");
        }
        if (p.loss() != null) {
            s.append(String.format(java.util.Locale.ROOT, " · loss %.4f", p.loss()));
        }
        if (p.accuracy() != null) {
            s.append(String.format(java.util.Locale.ROOT, " · acc %.4f", p.accuracy()));
        }
        return s.toString();
    }

    private String published(RunRecord r) {
        if (r.model() == null || r.version() == null || !ModelRegistry.isValidName(r.model())) {
            return "";
        }
        return registry.versions(r.model()).contains(r.version()) ? link(versionHref(r.model(), r.version()),
                r.model() + " v" + r.version()) : esc(r.model() + " v" + r.version() + " (deleted)");
    }

    String run(String id) {
        RunRecord r = store.get(id).orElseThrow(() -> new Refusal(404, "no run '" + id + "'; /ui/runs lists them"));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("route", r.route());
        f.put("trigger", r.trigger());
        f.put("input", r.inputFile() == null ? null : java.nio.file.Path.of(r.inputFile()).getFileName());
        f.put("started", r.startedAt());
        f.put("finished", r.finishedAt());
        f.put("verdict", r.verdict());
        f.put("reason", redact.apply(r.verdictReason()));
        f.put("accuracy", r.accuracy());
        f.put("error", redact.apply(r.error()));
        f.put("duplicate of", r.duplicateOf());
        StringBuilder body = new StringBuilder("<p>").append(state(r)).append("</p>").append(ConsoleLayout.fields(f));
        body.append("<p>Published: ").append(published(r)).append(" · ")
                .append(link("/runs/" + url(id) + "/report.html", "report.html")).append("</p>");
        if (r.stepsJson() != null) {
            try {
                List<?> steps = JSON.readValue(r.stepsJson(), List.class);
                List<List<String>> rows = new ArrayList<>();
                for (Object s : steps) {
                    Map<?, ?> step = (Map<?, ?>) s;
                    rows.add(List.of(esc(step.get("step")), number(step.get("seconds"))));
                }
                body.append("<h2>Steps</h2>").append(ConsoleLayout.table("steps", List.of("step", "seconds"), rows));
            } catch (IOException | ClassCastException e) {
                body.append("<p class=\"bad\">steps not readable: ").append(esc(e.getMessage())).append("</p>");
            }
        }
        return ConsoleLayout.page("Run " + id, body.toString(), r.status().equals("running"));
    }
}
