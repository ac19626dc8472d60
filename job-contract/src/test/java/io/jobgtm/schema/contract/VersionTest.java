package io.jobgtm.schema.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class VersionTest {

  @Test
  void comparesPartsNumerically() {
    List<Version> sorted =
        Stream.of("10", "2", "1.10", "1.9", "1").map(Version::parse).sorted().toList();

    assertThat(sorted).extracting(Version::toString).containsExactly("1", "1.9", "1.10", "2", "10");
  }

  @Test
  void trailingZerosAndUnderscoresDoNotMakeANewVersion() {
    assertThat(Version.parse("1.0"))
        .isEqualTo(Version.parse("1"))
        .hasSameHashCodeAs(Version.parse("1"));
    assertThat(Version.parse("2_1")).isEqualTo(Version.parse("2.1"));
    assertThat(Version.parse("2.1.0")).hasToString("2.1");
  }

  @Test
  void zeroIsBelowEveryMigration() {
    assertThat(Version.ZERO.isBelow(Version.parse("0.1"))).isTrue();
    assertThat(Version.parse("0")).isEqualTo(Version.ZERO);
  }

  @Test
  void rejectsTextThatIsNotAVersionNamingIt() {
    for (String bad : List.of("", "v2", "2.", ".2", "latest", "1..2", "-1", "2 ")) {
      assertThat(Version.isValid(bad)).as(bad).isFalse();
      assertThatThrownBy(() -> Version.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "' is not a version");
    }
  }
}
