package dev.graft.report;

/** Escaping text for HTML, shared by the run report and the web console. */
public final class Html {

    private Html() {
    }

    /** {@code s} with {@code < > & " '} escaped, safe in element text and quoted attributes; null gives "". */
    public static String esc(Object s) {
        if (s == null) {
            return "";
        }
        String text = String.valueOf(s);
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
