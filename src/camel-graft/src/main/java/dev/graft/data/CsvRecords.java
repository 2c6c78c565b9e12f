package dev.graft.data;

import dev.graft.spi.DataException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Lists the rows of CSV files as records for streaming: one pass reads each file, checks every row as
 * {@link CsvReader} does (field count, label, numbers; the same messages) and keeps only where each row starts, how
 * long it is, its line and its label; a batch re-reads its rows by position. Each record must be one line: a file
 * whose quoted fields hold line breaks cannot be cut at line starts and is read into memory instead
 * ({@link #list} returns null). Memory for the index (20 bytes a row) is taken from the budget as it grows.
 */
final class CsvRecords {

    /** Bytes the index holds a row: the offset, the length, the line and the label. */
    private static final int INDEX_BYTES = Long.BYTES + 3 * Integer.BYTES;

    private CsvRecords() {
    }

    /** Where the rows of one file are, and the header they were checked against. */
    private record Index(String name, FileChannel channel, List<String> header, int labelIndex, long[] offsets,
                         int[] lengths, int[] lines, int[] labels) {
    }

    /**
     * Thrown inside the pass when a row is not one line by itself, or streaming is not worth it: the file is then read
     * into memory instead.
     */
    private static final class NotOneLine extends RuntimeException {
        NotOneLine() {
            super(null, null, false, false);
        }
    }

    /**
     * The rows of the layout's files as records, or null when a record spans several lines.
     *
     * @throws DataException as {@link CsvReader#read} does for a bad header, row, label or value, or a test header
     *                       that differs from the training one
     */
    static SourceData list(Layout.Csv layout, String labelColumn, DataRoot root, BudgetMeter meter, OpenFiles files) {
        return list(layout, labelColumn, root, meter, files, true);
    }

    /**
     * As {@link #list(Layout.Csv, String, DataRoot, BudgetMeter, OpenFiles)}; unless {@code required}, also null when
     * the rows are so narrow that their index would take as much memory as their decoded values.
     */
    static SourceData list(Layout.Csv layout, String labelColumn, DataRoot root, BudgetMeter meter, OpenFiles files,
                           boolean required) {
        try {
            Index train = index(layout.train(), labelColumn, root, meter, files, required);
            Index test = layout.test() == null ? null
                    : index(layout.test(), labelColumn, root, meter, files, required);
            if (test != null && !test.header().equals(train.header())) {
                throw new DataException(DatasetLoader.STEP + ": header of '" + test.name() + "' differs from '"
                        + train.name() + "' " + test.header() + "; expected " + train.header());
            }
            long[] shape = {train.header().size() - 1};
            SourceData.RecordSource records = (inTest, index) -> row(inTest ? test : train, index);
            SourceData.Locator locator = (inTest, index) -> {
                Index table = inTest ? test : train;
                return "'" + table.name() + "' line " + table.lines()[index];
            };
            RawExamples trainExamples = RawExamples.listed(train.labels(), shape);
            RawExamples testExamples = test == null ? null : RawExamples.listed(test.labels(), shape);
            List<Path> paths = new ArrayList<>(List.of(layout.train()));
            if (layout.test() != null) {
                paths.add(layout.test());
            }
            return new SourceData(trainExamples, testExamples, SourceData.numericNames(trainExamples, testExamples),
                    paths, locator, records);
        } catch (NotOneLine e) {
            return null;
        }
    }

    /** Decodes row {@code index} again from its bytes, as {@link CsvReader} parses it. */
    private static float[] row(Index table, int index) {
        byte[] bytes;
        try {
            bytes = OpenFiles.read(table.channel(), table.offsets()[index], table.lengths()[index]);
        } catch (IOException e) {
            throw new DataException(DatasetLoader.STEP + ": cannot read CSV file '" + table.name() + "' line "
                    + table.lines()[index] + "; expected the file unchanged while it streams: " + e.getMessage(), e);
        }
        StreamCounters.read(bytes.length);
        String line;
        try {
            line = text(bytes, bytes.length);
        } catch (CharacterCodingException e) {
            throw new DataException(DatasetLoader.STEP + ": cannot read CSV file '" + table.name() + "' line "
                    + table.lines()[index] + "; expected a readable UTF-8 text file: not UTF-8 text", e);
        }
        float[] values = new float[table.header().size() - 1];
        if (parse(line, table, table.lines()[index], values) < 0) {
            throw new DataException(DatasetLoader.STEP + ": CSV file '" + table.name() + "' changed while it streams:"
                    + " line " + table.lines()[index] + " is blank now; expected the file unchanged during the run");
        }
        return values;
    }

    private static Index index(Path file, String labelColumn, DataRoot root, BudgetMeter meter, OpenFiles files,
                               boolean required) {
        String name = root.name(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] line = new byte[4096];
            long offset = 0;
            int lineNumber = 0;
            List<String> header = null;
            int labelIndex = -1;
            long[] offsets = new long[0];
            int[] lengths = new int[0];
            int[] lines = new int[0];
            int[] labels = new int[0];
            int rows = 0;
            float[] scratch = null;
            while (true) {
                int length = 0;
                long start = offset;
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    if (length == line.length) {
                        if (length >= CsvReader.MAX_RECORD_CHARS) {
                            throw new DataException(DatasetLoader.STEP + ": CSV record too long in '" + name
                                    + "': more than " + CsvReader.MAX_RECORD_CHARS + " characters without the record"
                                    + " ending; expected rows of at most that length; the file is corrupt, or a quote"
                                    + " is never closed");
                        }
                        line = Arrays.copyOf(line, Math.min(CsvReader.MAX_RECORD_CHARS, length * 2));
                    }
                    line[length++] = (byte) b;
                }
                offset += length + (b >= 0 ? 1 : 0);
                if (b < 0 && length == 0) {
                    break;
                }
                lineNumber++;
                int skip = lineNumber == 1 && length >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB
                        && (line[2] & 0xff) == 0xBF ? 3 : 0;
                String text = text(Arrays.copyOfRange(line, skip, length), length - skip);
                if (header == null) {
                    CSVRecord first = single(text);
                    if (first == null || CsvReader.blank(first)) {
                        throw new DataException(DatasetLoader.STEP + ": no header row in CSV file '" + name
                                + "'; expected column names on line 1");
                    }
                    header = first.toList();
                    labelIndex = CsvReader.labelIndex(header, labelColumn, name);
                    if (header.size() == 1) {
                        throw new DataException(DatasetLoader.STEP + ": no feature columns in CSV file '" + name
                                + "' " + header + "; expected the label column and at least one numeric column");
                    }
                    scratch = new float[header.size() - 1];
                    if (!required && (header.size() - 1) * Float.BYTES <= INDEX_BYTES) {
                        throw new NotOneLine(); // streaming would save no memory: read into memory instead
                    }
                    continue;
                }
                if (text.isBlank()) {
                    continue;
                }
                Index partial = new Index(name, null, header, labelIndex, null, null, null, null);
                int label = parse(text, partial, lineNumber, scratch);
                if (label < 0) {
                    continue; // a blank record, such as a quoted empty field alone
                }
                int at = lineNumber;
                if (rows == offsets.length) {
                    int grown = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(256, rows * 2L));
                    int row = rows;
                    meter.reserveBytes((long) INDEX_BYTES * (grown - rows), name,
                            () -> "an index of " + row + " rows at line " + at);
                    offsets = Arrays.copyOf(offsets, grown);
                    lengths = Arrays.copyOf(lengths, grown);
                    lines = Arrays.copyOf(lines, grown);
                    labels = Arrays.copyOf(labels, grown);
                }
                long example = rows + 1L;
                meter.reserveExamples(1, name, () -> "example " + example + " at line " + at);
                offsets[rows] = start + skip;
                lengths[rows] = length - skip;
                lines[rows] = lineNumber;
                labels[rows] = label;
                rows++;
            }
            if (header == null) {
                throw new DataException(DatasetLoader.STEP + ": no header row in CSV file '" + name
                        + "'; expected column names on line 1");
            }
            if (rows == 0) {
                throw new DataException(DatasetLoader.STEP + ": no data rows in CSV file '" + name
                        + "'; expected at least one row after the header");
            }
            return new Index(name, files.open(file), header, labelIndex, Arrays.copyOf(offsets, rows),
                    Arrays.copyOf(lengths, rows), Arrays.copyOf(lines, rows), Arrays.copyOf(labels, rows));
        } catch (CharacterCodingException e) {
            throw new DataException(DatasetLoader.STEP + ": cannot read CSV file '" + name
                    + "'; expected a readable UTF-8 text file: not UTF-8 text", e);
        } catch (IOException e) {
            throw new DataException(DatasetLoader.STEP + ": cannot read CSV file '" + name
                    + "'; expected a readable UTF-8 text file: " + e.getMessage(), e);
        }
    }

    /** Parses one data row into {@code values} (the features in column order); returns its label, -1 when blank. */
    private static int parse(String text, Index table, int line, float[] values) {
        CSVRecord record = single(text);
        if (record == null || CsvReader.blank(record)) {
            return -1;
        }
        int fields = table.header().size();
        if (record.size() != fields) {
            throw new DataException(DatasetLoader.STEP + ": wrong number of fields in CSV file '" + table.name()
                    + "' line " + line + "; expected " + fields + " as in the header, got " + record.size());
        }
        int label = 0;
        for (int i = 0, f = 0; i < fields; i++) {
            String value = record.get(i);
            if (i == table.labelIndex()) {
                label = CsvReader.label(value, table.name(), line, table.header().get(i));
            } else {
                values[f++] = CsvReader.number(value, table.name(), line, table.header().get(i));
            }
        }
        return label;
    }

    /** The one record of a line; {@link NotOneLine} when the line holds more or less than one (a quoted break). */
    private static CSVRecord single(String line) {
        String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        if (text.indexOf('\r') >= 0) {
            throw new NotOneLine();
        }
        try (CSVParser parser = CSVParser.parse(text, CsvReader.FORMAT)) {
            List<CSVRecord> records = parser.getRecords();
            if (records.size() > 1) {
                throw new NotOneLine();
            }
            return records.isEmpty() ? null : records.get(0);
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw new NotOneLine(); // an unclosed quote: the record goes on on the next line
        }
    }

    private static String text(byte[] bytes, int length) throws CharacterCodingException {
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length));
        return chars.toString();
    }
}
