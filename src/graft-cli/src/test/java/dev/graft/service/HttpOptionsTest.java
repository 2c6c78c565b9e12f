package dev.graft.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import org.junit.jupiter.api.Test;

class HttpOptionsTest {

    @Test
    void readsSizesAsTheOtherSizeOptionsDo() {
        assertThat(HttpOptions.parseSize("max-body", "16m")).isEqualTo(16L << 20);
        assertThat(HttpOptions.parseSize("max-body", "512k")).isEqualTo(512L << 10);
        assertThat(HttpOptions.parseSize("max-body", "1048576")).isEqualTo(1_048_576L);
        assertThat(HttpOptions.parseSize("max-body", "2GiB")).isEqualTo(2L << 30);
    }

    @Test
    void refusesABodyLimitThatIsNotPositive() {
        for (String bad : new String[] {"0", "-1", "-16m", "lots", "", "9999999999t"}) {
            assertThatThrownBy(() -> HttpOptions.parseSize("max-body", bad))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("serve: option 'max-body' is '" + bad + "'; expected a positive size in bytes with an "
                            + "optional k, m or g suffix, e.g. 16m");
        }
    }
}
