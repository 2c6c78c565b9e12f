package dev.graft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tags, descriptions, archive, delete and search of registry versions. */
class VersionEditsTest {

    @TempDir
    Path dir;

    ModelRegistry registry;

    @BeforeEach
    void threeVersions() throws Exception {
        registry = new ModelRegistry(dir);
        registry.publish("toy", f -> Files.writeString(f, "1"), Map.of("metrics", Map.of("accuracy", 0.8),
                "tags", List.of("first")), List.of("champion"));
        registry.publish("toy", f -> Files.writeString(f, "2"), Map.of("metrics", Map.of("accuracy", 0.95)),
                List.of("champion"));
        registry.publish("other", f -> Files.writeString(f, "3"), Map.of("metrics", Map.of("accuracy", 0.91),
                "description", "at publish"), List.of());
    }

    @Test
    void tagsAndDescriptionWinOverWhatThePublishRecordedAndSurviveANewInstance() throws Exception {
        assertThat(registry.version("toy", 1).tags()).containsExactly("first");
        registry.tag("toy", 1, List.of("nightly", "nightly", "fashion"), List.of("first"));
        registry.describe("other", 1, "retrained on <May's> drop");
        ModelRegistry again = new ModelRegistry(dir);
        assertThat(again.version("toy", 1).tags()).containsExactly("nightly", "fashion");
        assertThat(again.version("other", 1).description()).isEqualTo("retrained on <May's> drop");
        assertThat(again.version("toy", 1).metadata()).doesNotContainKey("nightly");
    }

    @Test
    void refusesBadTagsAndDescriptions() {
        assertThatThrownBy(() -> registry.tag("toy", 1, List.of("../x"), List.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("bad tag '../x'");
        assertThatThrownBy(() -> registry.describe("toy", 1, "x".repeat(2001)))
                .hasMessageContaining("expected at most 2000");
        assertThatThrownBy(() -> registry.describe("toy", 1, "bell\u0007"))
                .hasMessageContaining("control character U+0007");
        assertThatThrownBy(() -> registry.tag("toy", 9, List.of("a"), List.of()))
                .hasMessageContaining("no version 9 of 'toy'; expected one of [1, 2]");
    }

    @Test
    void refusesToDeleteOrArchiveTheChampionAndDeletesAnotherVersionForgettingItsHistory() throws Exception {
        assertThatThrownBy(() -> registry.delete("toy", 2)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot delete version 2 of 'toy': aliases [champion] point to it");
        assertThatThrownBy(() -> registry.archive("toy", 2, true))
                .hasMessageContaining("cannot archive version 2");
        registry.tag("toy", 1, List.of("old"), List.of());
        registry.delete("toy", 1);
        assertThat(registry.versions("toy")).containsExactly(2);
        assertThat(registry.history("toy").get("champion")).containsExactly(2);
        assertThat(registry.aliases("toy")).containsEntry("champion", 2);
        assertThat(Files.readString(dir.resolve("toy/notes.json"))).doesNotContain("old");
        try (var s = Files.list(dir.resolve("toy"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(f -> f.startsWith(".trash-"));
        }
    }

    @Test
    void aDeletedVersionsNumberIsNeverGivenToAnotherVersion() throws Exception {
        registry.promote("toy", "champion", 1);
        registry.delete("toy", 2);
        var next = registry.publish("toy", f -> Files.writeString(f, "4"), Map.of(), List.of());
        assertThat(next.version()).isEqualTo(3);
        assertThat(registry.versions("toy")).containsExactly(1, 3);
    }

    @Test
    void archivedVersionsAreHiddenFromSearchAndNeverPromoted() throws Exception {
        registry.archive("toy", 1, true);
        assertThat(registry.search(VersionQuery.ALL)).extracting(v -> v.name() + "@" + v.version())
                .containsExactly("other@1", "toy@2");
        assertThatThrownBy(() -> registry.promote("toy", "champion", 1)).hasMessageContaining("is archived");
        registry.archive("toy", 1, false);
        registry.promote("toy", "champion", 1);
        assertThat(registry.aliases("toy")).containsEntry("champion", 1);
    }

    @Test
    void searchesByNameTagMetricAndAlias() throws Exception {
        registry.tag("toy", 2, List.of("nightly"), List.of());
        assertThat(find(VersionQuery.of("OT", null, null, null, false))).containsExactly("other@1");
        assertThat(find(VersionQuery.of(null, "nightly", null, null, false))).containsExactly("toy@2");
        assertThat(find(VersionQuery.of(null, null, "accuracy>=0.9", null, false))).containsExactly("other@1", "toy@2");
        assertThat(find(VersionQuery.of(null, null, "accuracy>0.9,f1>0.5", null, false))).isEmpty();
        assertThat(find(VersionQuery.of(null, null, null, "champion", false))).containsExactly("toy@2");
        assertThatThrownBy(() -> VersionQuery.of(null, null, "accuracy=>0.9", null, false))
                .hasMessageContaining("search: option 'metric' has a bad value 'accuracy=>0.9'");
    }

    private List<String> find(VersionQuery q) {
        return registry.search(q).stream().map(v -> v.name() + "@" + v.version()).toList();
    }
}
