package dev.graft.data;

import dev.graft.spi.LabeledSet;
import dev.graft.spi.DataSplits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {

    @TempDir
    Path dir;

    private static FetchSpec csv(Path source, String labelColumn) {
        return new FetchSpec(source.toString(), DataFormat.AUTO, 0.25, 0, List.of(), false, 0, 0, 1, 7, 0, 0,
                labelColumn);
    }

    @Test
    void readsACsvFileWithTheLabelColumnFoundByName() {
        Path file = TestData.writeText(dir.resolve("iris.csv"), """
                a,label,b
                1.5,0,2
                "3",2,4.25

                5,1,-6
                7,0,8
                """);

        DataSplits data = DatasetLoader.load(csv(file, "label"), null);

        assertThat(data.exampleShape()).containsExactly(2);
        assertThat(data.classNames()).containsExactly("0", "1", "2");
        assertThat(data.train().size() + data.test().size()).isEqualTo(4);
        assertThat(data.test().size()).isEqualTo(1);
        assertThat(data.train().features().shape()).containsExactly(3, 2);
        LabeledSet all = DatasetLoader.load(new FetchSpec(file.toString(), DataFormat.CSV, 0.25, 0, List.of(), false,
                0, 0, 1, 7, 0, 0, null), null).train();
        assertThat(all.size()).isEqualTo(3);
    }

    @Test
    void keepsRowsAlignedWithTheirLabels() {
        StringBuilder text = new StringBuilder("x,y,label\n");
        for (int i = 0; i < 20; i++) {
            text.append(i).append(',').append(i * 10).append(',').append(i % 3).append('\n');
        }
        Path file = TestData.writeText(dir.resolve("rows.csv"), text.toString());

        DataSplits data = DatasetLoader.load(csv(file, "label"), null);

        for (LabeledSet set : List.of(data.train(), data.test())) {
            int[] first = TestData.firstFeatures(set.features());
            int[] labels = TestData.labels(set.labels());
            float[] values = TestData.values(set.features());
            for (int i = 0; i < set.size(); i++) {
                assertThat(labels[i]).isEqualTo(first[i] % 3);
                assertThat(values[i * 2 + 1]).isEqualTo(first[i] * 10f);
            }
        }
    }

    @Test
    void findsTheLabelColumnByIndex() {
        Path file = TestData.writeText(dir.resolve("t.csv"), "f1,f2,class\n1,2,1\n3,4,0\n5,6,1\n7,8,0\n");

        DataSplits data = DatasetLoader.load(csv(file, "2"), null);

        assertThat(data.exampleShape()).containsExactly(2);
        assertThat(data.numClasses()).isEqualTo(2);
    }

    @Test
    void readsAFolderWithTrainAndTestCsv() {
        TestData.writeText(dir.resolve("train.csv"), "label,p0,p1\n0,1,2\n1,3,4\n2,5,6\n");
        TestData.writeText(dir.resolve("test.csv"), "label,p0,p1\r\n2,9,9\r\n0,8,8\r\n");

        DataSplits data = DatasetLoader.load(csv(dir, "label"), null);

        assertThat(data.train().size()).isEqualTo(3);
        assertThat(data.test().size()).isEqualTo(2);
        assertThat(TestData.values(data.test().features())).containsExactly(9, 9, 8, 8);
        assertThat(TestData.labels(data.test().labels())).containsExactly(2, 0);
    }

    @Test
    void listsTheHeaderWhenTheLabelColumnIsUnknown() {
        Path file = TestData.writeText(dir.resolve("t.csv"), "f1,f2,target\n1,2,1\n");

        assertThatThrownBy(() -> DatasetLoader.load(csv(file, "label"), null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("names no column 'label' of CSV file '" + file + "'")
                .hasMessageContaining("[f1, f2, target]");
    }

    @Test
    void rejectsARaggedRowNamingFileLineAndFieldCounts() {
        Path file = TestData.writeText(dir.resolve("bad.csv"), "a,b,label\n1,2,0\n3,4,1\n5,0\n");

        assertThatThrownBy(() -> DatasetLoader.load(csv(file, "label"), null))
                .isInstanceOf(DataException.class)
                .hasMessage("fetch-dataset: wrong number of fields in CSV file '" + file
                        + "' line 4; expected 3 as in the header, got 2");
    }

    @Test
    void rejectsANonNumericValueNamingFileLineAndColumn() {
        Path file = TestData.writeText(dir.resolve("bad.csv"), "a,b,label\n1,2,0\n3,x4,1\n");

        assertThatThrownBy(() -> DatasetLoader.load(csv(file, "label"), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("non-numeric value 'x4' in CSV file '" + file + "' line 3 column 'b'");
    }

    @Test
    void rejectsANegativeLabel() {
        Path file = TestData.writeText(dir.resolve("bad.csv"), "a,label\n1,0\n2,-1\n");

        assertThatThrownBy(() -> DatasetLoader.load(csv(file, "label"), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("label '-1' in CSV file '" + file + "' line 3 column 'label'");
    }

    @Test
    void rejectsATestFileWithAnotherHeader() {
        TestData.writeText(dir.resolve("train.csv"), "label,p0,p1\n0,1,2\n1,3,4\n");
        TestData.writeText(dir.resolve("test.csv"), "label,p0,q1\n0,1,2\n");

        assertThatThrownBy(() -> DatasetLoader.load(csv(dir, "label"), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("header of '" + dir.resolve("test.csv") + "' differs");
    }
    @Test
    void readsQuotedFieldsWithCommasQuotesAndLineBreaksAsOneField() {
        Path file = TestData.writeText(dir.resolve("quoted.csv"), "label,\"width, cm\",\"say \"\"hi\"\"\",b\n"
                + "1,\" 2.5 \",3,4\n"
                + "0,\"5\",\"6\",\"7\"\n"
                + "2,8,9,10\n");

        DataSplits data = DatasetLoader.load(csv(file, "label").withLimitSample(LimitSample.FIRST), null);

        assertThat(data.exampleShape()).containsExactly(3);
        float[] all = new float[9];
        float[] train = TestData.values(data.train().features());
        float[] test = TestData.values(data.test().features());
        System.arraycopy(train, 0, all, 0, train.length);
        System.arraycopy(test, 0, all, train.length, test.length);
        java.util.Arrays.sort(all);
        assertThat(all).containsExactly(2.5f, 3, 4, 5, 6, 7, 8, 9, 10);
    }

    @Test
    void aQuotedHeaderNameMayHoldACommaAndBeTheLabelColumn() {
        Path file = TestData.writeText(dir.resolve("q.csv"), "\"class, id\",x\n0,1\n1,2\n0,3\n1,4\n");

        DataSplits data = DatasetLoader.load(csv(file, "class, id"), null);

        assertThat(data.classNames()).containsExactly("0", "1");
        assertThat(data.train().size() + data.test().size()).isEqualTo(4);
    }

    @Test
    void countsLinesOfAQuotedLineBreakInErrors() {
        Path file = TestData.writeText(dir.resolve("multi.csv"), "label,a\n0,\"1\n2\"\n1,x\n");

        assertThatThrownBy(() -> DatasetLoader.load(csv(file, "label"), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("non-numeric value '1\n2' in CSV file '" + file + "' line 2 column 'a'");
        Path later = TestData.writeText(dir.resolve("later.csv"), "label,a\n0,\"1\"\n\n1,\"2\n\"\n1,x\n");
        assertThatThrownBy(() -> DatasetLoader.load(csv(later, "label"), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("non-numeric value 'x' in CSV file '" + later + "' line 6 column 'a'");
    }

    @Test
    void refusesAnUnclosedQuoteAsMalformedCsv() {
        Path file = TestData.writeText(dir.resolve("open.csv"), "label,a\n0,1\n1,\"2\n0,3\n");

        assertThatThrownBy(() -> DatasetLoader.load(csv(file, "label"), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("malformed CSV in '" + file + "' after line 2");
    }

    @Test
    void refusesARecordLongerThanTheLimitBeforeBufferingItWhole() {
        StringBuilder text = new StringBuilder("label,a\n0,\"");
        text.append("1".repeat(CsvReader.MAX_RECORD_CHARS + (1 << 17)));
        Path file = TestData.writeText(dir.resolve("long.csv"), text.toString());

        assertThatThrownBy(() -> DatasetLoader.load(csv(file, "label"), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("CSV record too long in '" + file + "': more than " + CsvReader.MAX_RECORD_CHARS);
    }

    @Test
    void refusesBytesThatAreNotUtf8() {
        Path file = TestData.write(dir.resolve("latin1.csv"), new byte[] {'l', 'a', 'b', 'e', 'l', ',', 'a', '\n',
                '0', ',', (byte) 0xE9, '\n'}, false);

        assertThatThrownBy(() -> DatasetLoader.load(csv(file, "label"), null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("cannot read CSV file '" + file + "'; expected a readable UTF-8 text file: not UTF-8");
    }

    @Test
    void skipsALeadingByteOrderMark() {
        Path file = TestData.writeText(dir.resolve("bom.csv"), "\uFEFFlabel,a\n0,1\n1,2\n0,3\n1,4\n");

        DataSplits data = DatasetLoader.load(csv(file, "label"), null);

        assertThat(data.classNames()).containsExactly("0", "1");
    }
}
