package io.jobgtm.schema.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the node agent shows a container its mounts: paths in values become the volumes' paths. */
class PodVolumesTest {

  private static final Path POD = Path.of("/agent/pods/p1");

  private final Container container =
      new ContainerBuilder()
          .withName("migrate")
          .addNewVolumeMount()
          .withName("schema")
          .withMountPath("/migrations/schema")
          .endVolumeMount()
          .addNewVolumeMount()
          .withName("data")
          .withMountPath("/migrations/data")
          .endVolumeMount()
          .build();

  private final PodVolumes.Mounts mounts =
      PodVolumes.Mounts.of(
          container,
          Map.of("schema", POD.resolve("schema"), "data", POD.resolve("data")),
          POD.resolve("termination-log"),
          List.of(POD));

  @Test
  void aPathUnderAMountAndAFlagWithOneAreRewritten() {
    assertThat(mounts.rewrite("/migrations/schema")).isEqualTo("/agent/pods/p1/schema");
    assertThat(mounts.rewrite("--dir=/migrations/data/x")).isEqualTo("--dir=/agent/pods/p1/data/x");
    assertThat(mounts.rewrite("/etc/other")).isEqualTo("/etc/other");
  }

  @Test
  void aSettingWithAPathUnderAMountIsRewrittenAsAFlagIs() {
    assertThat(mounts.rewrite("unix_socket_directories=/migrations/data"))
        .isEqualTo("unix_socket_directories=/agent/pods/p1/data");
    assertThat(mounts.rewrite("unix_socket_directories=/var/run"))
        .isEqualTo("unix_socket_directories=/var/run");
    assertThat(mounts.rewrite("a b=/migrations/data")).isEqualTo("a b=/migrations/data");
  }

  @Test
  void pathsSeparatedByCommasAreRewrittenEachWhenEveryOneIsMounted() {
    assertThat(mounts.rewrite("/migrations/schema,/migrations/data"))
        .isEqualTo("/agent/pods/p1/schema,/agent/pods/p1/data");
    assertThat(mounts.rewrite("/migrations/schema,/etc/other"))
        .isEqualTo("/migrations/schema,/etc/other");
    assertThat(mounts.rewrite("a,b")).isEqualTo("a,b");
  }
}
