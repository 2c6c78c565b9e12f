package dev.graft.service;

import static dev.graft.service.HttpReplies.checkName;

import dev.graft.service.HttpReplies.Refusal;
import java.io.IOException;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/**
 * The Jetty side of the registry API, the OpenAPI document and the web console: which method and path go to which
 * call of {@link RegistryApi} or {@link Console}, with the query options parsed and checked and the token required
 * for every change. The calls themselves know nothing of Jetty.
 */
record ApiRoutes(HttpAccess access, RegistryApi api, Console console) {

    private static final List<String> EDITS = List.of("tags", "description", "archive");

    /** Whether this class serves the request; the others are HttpApi's own. */
    static boolean serves(String method, List<String> p) {
        int n = p.size();
        String first = n > 0 ? p.get(0) : "";
        boolean get = method.equals("GET");
        if (n == 0 || first.equals("ui")) {
            return get;
        }
        if (n == 1) {
            return get && (first.equals("versions") || first.equals("openapi.json"));
        }
        if (first.equals("runs")) {
            return get && n == 3 && p.get(2).equals("report.html");
        }
        if (!first.equals("models")) {
            return false;
        }
        String second = n > 2 ? p.get(2) : "";
        return (n == 2 && get)
                || (second.equals("versions") && n == 4 && (get || method.equals("DELETE")))
                || (second.equals("versions") && n == 5 && (get || (method.equals("POST") && EDITS.contains(p.get(4)))))
                || (second.equals("aliases") && method.equals("POST")
                    && (n == 4 || (n == 5 && p.get(4).equals("rollback"))));
    }

    /** The answer to a request {@link #serves} says yes to; names in the path are checked here. */
    Answer answer(Request request, Response response, String method, List<String> p) throws IOException {
        Params q = params(request);
        int n = p.size();
        String first = n > 0 ? p.get(0) : "";
        if (n == 0 || first.equals("ui")) {
            return console.page(p.subList(Math.min(1, n), n), q);
        }
        switch (first) {
            case "openapi.json" -> {
                return console.asset("openapi.json");
            }
            case "versions" -> {
                return new Answer.Json(200, api.search(q.query()));
            }
            case "runs" -> {
                String run = checkName("run id", p.get(1));
                return api.runReport(run).<Answer>map(f -> new Answer.FileBody(f, RegistryApi.ARTIFACTS.get("report.html"),
                        null)).orElseThrow(() -> new Refusal(404, "run '" + run + "' has no report.html (it wrote none, "
                        + "or wrote it outside the service's registry)"));
            }
            default -> {
                // models
            }
        }
        String name = checkName("model name", p.get(1));
        if (!method.equals("GET")) {
            access.requireToken(request, response, "changing the registry");
        }
        if (n == 2) {
            return new Answer.Json(200, api.model(name));
        }
        if (p.get(2).equals("aliases")) {
            String alias = Params.alias(p.get(3));
            return new Answer.Json(200, n == 5 ? api.rollback(name, alias)
                    : api.promote(name, alias, Params.version(q.required("version"))));
        }
        int version = Params.version(p.get(3));
        if (method.equals("GET")) {
            return n == 4 ? new Answer.Json(200, api.version(name, version)) : api.artifact(name, version, p.get(4));
        }
        if (method.equals("DELETE")) {
            return new Answer.Json(200, api.delete(name, version));
        }
        return new Answer.Json(200, switch (p.get(4)) {
            case "tags" -> api.tag(name, version, q.list("add"), q.list("remove"));
            case "description" -> api.describe(name, version, q.required("text"));
            default -> api.archive(name, version, q.bool("archived", true));
        });
    }

    /** The query options of a request. */
    static Params params(Request request) {
        Fields q = Request.extractQueryParameters(request);
        java.util.Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (Fields.Field f : q) {
            out.put(f.getName(), f.getValues());
        }
        return new Params(out);
    }
}
