package dev.graft.service;

import static dev.graft.service.HttpReplies.checkName;

import dev.graft.service.HttpReplies.Refusal;
import java.io.IOException;
import java.util.List;

/**
 * The registry API, the OpenAPI document and the web console: which REST operation goes to which call of
 * {@link RegistryApi} or {@link Console}, with the query options parsed and checked and the token required for every
 * change. The calls themselves know nothing of HTTP servers.
 */
record ApiRoutes(HttpAccess access, RegistryApi api, Console console) {

    /** Whether the API serves a method and decoded path: a REST operation of {@link RestApi} or a console page. */
    static boolean serves(String method, List<String> p) {
        return RestApi.match(method, p).isPresent() || (method.equals("GET") && (p.isEmpty() || p.get(0).equals("ui")));
    }

    /** The answer to a request {@link #serves} says yes to; names in the path are checked here. */
    Answer answer(HttpCall call) throws IOException {
        Params q = call.query();
        String method = call.method();
        List<String> p = call.path();
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
            access.requireToken(call, "changing the registry");
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
}
