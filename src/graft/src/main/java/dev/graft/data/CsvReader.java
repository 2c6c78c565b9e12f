package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads comma-separated files with a header row: one integer label column, every other column a numeric
 * feature. Fields are trimmed and may be wrapped in double quotes; quoted commas are not supported.
 */
final class CsvReader {

    private CsvReader() {
    }

    static SourceData read(Layout.Csv layout, String labelColumn, DataRoot root) {
        List<Path> files = new ArrayList<>(List.of(layout.train()));
        Table train = readTable(layout.train(), labelColumn, root);
        RawExamples test = null;
        if (layout.test() != null) {
            files.add(layout.test());
            Table table = readTable(layout.test(), labelColumn, root);
            if (!table.header().equals(train.header())) {
                throw new DataException(DatasetLoader.STEP + ": header of '" + root.name(layout.test())
                        + "' differs from '" + root.name(layout.train()) + "' " + table.header() + "; expected "
                        + train.header());
            }
            test = table.examples();
        }
        return new SourceData(train.examples(), test, SourceData.numericNames(train.examples(), test), files);
    }

    private record Table(List<String> header, RawExamples examples) {
    }

    private static Table readTable(Path file, String labelColumn, DataRoot root) {
        String name = root.name(file);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = reader.readLine();
            if (first == null || first.isBlank()) {
                throw new DataException(DatasetLoader.STEP + ": no header row in CSV file '" + name
                        + "'; expected column names on line 1");
            }
            if (first.startsWith("\uFEFF")) {
                first = first.substring(1);
            }
            List<String> header = Arrays.stream(first.split(",", -1)).map(CsvReader::unquote).toList();
            int labelIndex = labelIndex(header, labelColumn, name);
            int fields = header.size();
            int featureCount = fields - 1;
            if (featureCount == 0) {
                throw new DataException(DatasetLoader.STEP + ": no feature columns in CSV file '" + name
                        + "' " + header + "; expected the label column and at least one numeric column");
            }
            FloatList features = new FloatList();
            IntList labels = new IntList();
            int lineNumber = 1;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String[] values = line.split(",", -1);
                if (values.length != fields) {
                    throw new DataException(DatasetLoader.STEP + ": wrong number of fields in CSV file '" + name
                            + "' line " + lineNumber + "; expected " + fields + " as in the header, got "
                            + values.length);
                }
                for (int i = 0; i < fields; i++) {
                    String value = unquote(values[i]);
                    if (i == labelIndex) {
                        labels.add(label(value, name, lineNumber, header.get(i)));
                    } else {
                        features.add(number(value, name, lineNumber, header.get(i)));
                    }
                }
            }
            if (labels.size == 0) {
                throw new DataException(DatasetLoader.STEP + ": no data rows in CSV file '" + name
                        + "'; expected at least one row after the header");
            }
            RawExamples examples = new RawExamples(features.toArray(), labels.toArray(), new long[] {featureCount});
            return new Table(header, examples);
        } catch (IOException e) {
            throw new DataException(DatasetLoader.STEP + ": cannot read CSV file '" + name
                    + "'; expected a readable UTF-8 text file: " + e.getMessage(), e);
        }
    }

    /** The label column by name (exact, then ignoring case) or by 0-based index. */
    private static int labelIndex(List<String> header, String labelColumn, String name) {
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

    private static int label(String value, String file, int line, String column) {
        try {
            double number = Double.parseDouble(value);
            if (number >= 0 && number <= SourceData.MAX_LABEL && number == Math.rint(number)) {
                return (int) number;
            }
        } catch (NumberFormatException e) {
            // reported below with the file, line and column
        }
        throw new DataException(DatasetLoader.STEP + ": label '" + value + "' in CSV file '" + file + "' line " + line
                + " column '" + column + "' is not a class number; expected an integer from 0 to "
                + SourceData.MAX_LABEL);
    }

    private static float number(String value, String file, int line, String column) {
        try {
            float number = Float.parseFloat(value);
            if (Float.isFinite(number)) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below with the file, line and column
        }
        throw new DataException(DatasetLoader.STEP + ": non-numeric value '" + value + "' in CSV file '" + file
                + "' line " + line + " column '" + column + "'; expected a finite number");
    }

    private static String unquote(String field) {
        String trimmed = field.trim();
        if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
            return trimmed.substring(1, trimmed.length() - 1).trim();
        }
        return trimmed;
    }

    private static final class FloatList {
        private float[] values = new float[1024];
        private int size;

        void add(float value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = value;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static final class IntList {
        private int[] values = new int[256];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = value;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
