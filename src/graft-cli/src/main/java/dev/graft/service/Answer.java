package dev.graft.service;

import java.nio.file.Path;

/** What an endpoint answers, independent of the HTTP server that sends it. */
sealed interface Answer {

    int status();

    /** A JSON body: {@code body} serialised by Jackson. */
    record Json(int status, Object body) implements Answer {
    }

    /** An HTML page, rendered. */
    record Html(int status, String html) implements Answer {
    }

    /**
     * A file of the registry or the run history, sent as is.
     *
     * @param attachment the file name to save it as, or null to show it in the browser
     */
    record FileBody(Path file, String contentType, String attachment) implements Answer {
        @Override
        public int status() {
            return 200;
        }
    }

    /** A static asset of the console, from the jar. */
    record Asset(byte[] bytes, String contentType) implements Answer {
        @Override
        public int status() {
            return 200;
        }
    }
}
