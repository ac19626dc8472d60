package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {

  @Test
  void masksEveryOccurrenceOfThePasswordAndFoldsLines() {
    Redactor redactor = new Redactor("s3cret!");

    String cleaned = redactor.clean("login s3cret! failed\n  retry with s3cret!");

    assertThat(cleaned)
        .isEqualTo("login ****** failed retry with ******")
        .doesNotContain("s3cret!");
  }

  @Test
  void withoutAPasswordOnlyFoldsLines() {
    assertThat(new Redactor(null).clean("a\nb")).isEqualTo("a b");
    assertThat(new Redactor("").clean(null)).isNull();
  }
}
