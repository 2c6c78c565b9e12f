package dev.graft.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.data.DataProfile;
import dev.graft.data.SplitProfile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DataPanelTest {

    @Test
    void showsTheProfileTheChecksAndTheProbeTableWithEveryValueEscaped() {
        SplitProfile train = new SplitProfile(new long[] {3, 4}, new double[] {0.25}, new double[] {0.5},
                new double[] {0}, new double[] {Double.NaN}, new long[SplitProfile.BINS], 0, 0, 1, 2, 5);
        Map<String, SplitProfile> splits = new LinkedHashMap<>();
        splits.put("train", train);
        DataProfile profile = new DataProfile(new long[] {1, 2, 2}, "uint8", List.of("cat", "<b>dog</b>"), splits, 1,
                0, null, 0.1);
        Map<String, Object> meta = Map.of(
                "validation", List.of(Map.of("check", "class-js", "statistic", 0.5, "threshold", 0.1, "verdict",
                        "FAILED", "reason", "JS 0.5 > 0.1 <script>")),
                "cutProbe", Map.of("chosen", "pool1", "candidates", List.of(Map.of("layer", "pool1", "features", 16,
                        "validationAccuracy", 0.75, "seconds", 0.01))));
        String html = DataPanel.html(Optional.of(profile), meta);
        assertThat(html).contains("<td>train</td><td>7</td><td>[3, 4]</td><td>0.2500</td><td>0.5000</td><td>0.000</td>"
                + "<td>&ndash;</td><td>1 / 2</td><td>5</td>");
        assertThat(html).contains("classes cat, &lt;b&gt;dog&lt;/b&gt;").doesNotContain("<b>dog");
        assertThat(html).contains("<td>class-js</td><td>0.5000</td><td>0.1000</td><td>FAILED</td>")
                .contains("&lt;script&gt;").doesNotContain("<script>");
        assertThat(html).contains("cut at <code>pool1</code>").contains("<td>pool1</td><td>16</td><td>0.7500</td>");
        assertThat(DataPanel.html(Optional.empty(), Map.of())).isEmpty();
        assertThat(DataPanel.html(Optional.empty(), Map.of("validation", List.of())))
                .contains("nothing was compared");
    }
}
