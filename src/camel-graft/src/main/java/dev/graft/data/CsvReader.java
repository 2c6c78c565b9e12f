package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import java.io.BufferedReader;
import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads comma-separated files with a header row: one integer label column, every other column a numeric
 * feature. Parsed by Apache Commons CSV (RFC 4180: fields may be double-quoted, with commas, doubled quotes and line
 * breaks inside); fields are trimmed, blank lines skipped. Rows are streamed: memory is taken from the budget as
 * they arrive, and one record may hold at most {@value #MAX_RECORD_CHARS} characters.
 */
final class CsvReader {

    /** The most characters one record (the header included) may span; longer ones are refused as corrupt. */
    static final int MAX_RECORD_CHARS = 16 << 20;

    static final CSVFormat FORMAT = CSVFormat.RFC4180.builder()
            .setIgnoreEmptyLines(false) // blank lines are skipped here, so record numbers stay line numbers
            .setIgnoreSurroundingSpaces(true)
            .setTrim(true)
            .get();

    private CsvReader() {
    }

    static SourceData read(Layout.Csv layout, String labelColumn, DataRoot root, BudgetMeter meter) {
        List<Path> files = new ArrayList<>(List.of(layout.train()));
        Table train = readTable(layout.train(), labelColumn, root, meter);
        Table test = null;
        if (layout.test() != null) {
            files.add(layout.test());
            test = readTable(layout.test(), labelColumn, root, meter);
            if (!test.header().equals(train.header())) {
                throw new DataException(DatasetLoader.STEP + ": header of '" + root.name(layout.test())
                        + "' differs from '" + root.name(layout.train()) + "' " + test.header() + "; expected "
                        + train.header());
            }
        }
        RawExamples testExamples = test == null ? null : test.examples();
        Table testTable = test;
        SourceData.Locator locator = (inTest, index) -> {
            Table table = inTest ? testTable : train;
            return "'" + table.name() + "' line " + table.lines()[index];
        };
        return new SourceData(train.examples(), testExamples, SourceData.numericNames(train.examples(), testExamples),
                files, locator);
    }

    /** One file: its header, its examples and the line each example started on. */
    private record Table(String name, List<String> header, RawExamples examples, int[] lines) {
    }

    private static Table readTable(Path file, String labelColumn, DataRoot root, BudgetMeter meter) {
        String name = root.name(file);
        try (RecordLimit limited = new RecordLimit(reader(file), name);
             CSVParser parser = CSVParser.builder().setReader(limited).setFormat(FORMAT).get()) {
            Iterator<CSVRecord> records = parser.iterator();
            limited.recordDone();
            CSVRecord first = next(records, name, 0) ? records.next() : null;
            if (first == null || blank(first)) {
                throw new DataException(DatasetLoader.STEP + ": no header row in CSV file '" + name
                        + "'; expected column names on line 1");
            }
            List<String> header = first.toList();
            int labelIndex = labelIndex(header, labelColumn, name);
            int fields = header.size();
            int featureCount = fields - 1;
            if (featureCount == 0) {
                throw new DataException(DatasetLoader.STEP + ": no feature columns in CSV file '" + name
                        + "' " + header + "; expected the label column and at least one numeric column");
            }
            ExampleStore store = new ExampleStore(featureCount, meter, name);
            float[] row = new float[featureCount];
            while (true) {
                long lineBefore = parser.getCurrentLineNumber();
                limited.recordDone();
                if (!next(records, name, lineBefore)) {
                    break;
                }
                CSVRecord record = records.next();
                int line = (int) Math.min(Integer.MAX_VALUE, lineBefore + 1);
                if (blank(record)) {
                    continue;
                }
                if (record.size() != fields) {
                    throw new DataException(DatasetLoader.STEP + ": wrong number of fields in CSV file '" + name
                            + "' line " + line + "; expected " + fields + " as in the header, got " + record.size());
                }
                int label = 0;
                for (int i = 0, f = 0; i < fields; i++) {
                    String value = record.get(i);
                    if (i == labelIndex) {
                        label = label(value, name, line, header.get(i));
                    } else {
                        row[f++] = number(value, name, line, header.get(i));
                    }
                }
                store.add(row, label, line, () -> "line " + line);
            }
            if (store.size() == 0) {
                throw new DataException(DatasetLoader.STEP + ": no data rows in CSV file '" + name
                        + "'; expected at least one row after the header");
            }
            int[] lines = store.origins();
            RawExamples examples = store.toRawExamples(new long[] {featureCount});
            return new Table(name, header, examples, lines);
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            String why = cause instanceof CharacterCodingException ? "not UTF-8 text" : cause.getMessage();
            throw new DataException(DatasetLoader.STEP + ": cannot read CSV file '" + name
                    + "'; expected a readable UTF-8 text file: " + why, e);
        }
    }

    /** A strict UTF-8 reader that drops a leading byte-order mark. */
    static Reader reader(Path file) throws IOException {
        BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
        in.mark(1);
        if (in.read() != '\uFEFF') {
            in.reset();
        }
        return in;
    }

    /** Whether another record follows; a parse error (an unclosed quote, say) is bad data at that line. */
    private static boolean next(Iterator<CSVRecord> records, String name, long lineBefore) {
        try {
            return records.hasNext();
        } catch (UncheckedIOException | IllegalStateException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof CharacterCodingException) {
                throw new UncheckedIOException((CharacterCodingException) cause);
            }
            throw new DataException(DatasetLoader.STEP + ": malformed CSV in '" + name + "' after line " + lineBefore
                    + ": " + cause.getMessage() + "; expected comma-separated fields, quoted with \" where they hold"
                    + " commas, quotes or line breaks", e);
        }
    }

    /** An empty line, or one of spaces only. */
    static boolean blank(CSVRecord record) {
        return record.size() == 1 && record.get(0).isEmpty();
    }

    /** The label column by name (exact, then ignoring case) or by 0-based index. */
    static int labelIndex(List<String> header, String labelColumn, String name) {
        int exact = header.indexOf(labelColumn);
        if (exact >= 0) {
            return exact;
        }
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).equalsIgnoreCase(labelColumn)) {
                return i;
            }
        }
        if (labelColumn.matches("\\d{1,9}") && Integer.parseInt(labelColumn) < header.size()) {
            return Integer.parseInt(labelColumn);
        }
        throw new ConfigurationException(DatasetLoader.STEP + ": option 'labelColumn' names no column '"
                + labelColumn + "' of CSV file '" + name + "'; expected a column name or a 0-based index below "
                + header.size() + " from " + abbreviate(header));
    }

    private static String abbreviate(List<String> header) {
        if (header.size() <= 30) {
            return header.toString();
        }
        return header.subList(0, 30).toString().replace("]", ", ... " + (header.size() - 30) + " more]");
    }

    static int label(String value, String file, int line, String column) {
        try {
            double number = Double.parseDouble(value);
            if (number >= 0 && number <= SourceData.MAX_LABEL && number == Math.rint(number)) {
                return (int) number;
            }
        } catch (NumberFormatException e) {
            // reported below with the file, line and column
        }
        throw new DataException(DatasetLoader.STEP + ": label '" + shorten(value) + "' in CSV file '" + file
                + "' line " + line + " column '" + column + "' is not a class number; expected an integer from 0 to "
                + SourceData.MAX_LABEL);
    }

    static float number(String value, String file, int line, String column) {
        try {
            float number = Float.parseFloat(value);
            if (Float.isFinite(number)) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below with the file, line and column
        }
        throw new DataException(DatasetLoader.STEP + ": non-numeric value '" + shorten(value) + "' in CSV file '"
                + file + "' line " + line + " column '" + column + "'; expected a finite number");
    }

    /** A value as quoted in a message: at most 60 characters. */
    private static String shorten(String value) {
        return value.length() <= 60 ? value : value.substring(0, 57) + "...";
    }

    /** Refuses a record longer than {@link #MAX_RECORD_CHARS} before the parser buffers it whole. */
    private static final class RecordLimit extends FilterReader {
        private final String name;
        private long sinceRecord;

        RecordLimit(Reader in, String name) {
            super(in);
            this.name = name;
        }

        /** Called between records: the next characters start a new one. */
        void recordDone() {
            sinceRecord = 0;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                count(1);
            }
            return c;
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            sinceRecord += n;
            // the parser reads ahead by its buffer, so the limit is checked with that much slack
            if (sinceRecord > MAX_RECORD_CHARS + (1 << 16)) {
                throw new DataException(DatasetLoader.STEP + ": CSV record too long in '" + name + "': more than "
                        + MAX_RECORD_CHARS + " characters without the record ending; expected rows of at most that"
                        + " length; the file is corrupt, or a quote is never closed");
            }
        }
    }
}
