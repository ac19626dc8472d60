package io.jobgtm.schema.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** Missing binaries fail a test of the real control plane with the way to build them. */
class KubernetesBinariesTest {

  @TempDir Path cache;

  @Test
  void missingBinariesFailNamingTheScriptThatBuildsThem() {
    KubernetesBinaries binaries = new KubernetesBinaries(cache, "1.37.2", "linux-amd64");

    assertThatThrownBy(() -> binaries.require(KubernetesBinaries.CONTROL_PLANE))
        .isInstanceOf(IllegalStateException.class)
        .isNotInstanceOf(TestAbortedException.class)
        .hasMessageContaining("scripts/k8s-binaries.sh")
        .hasMessageContaining(cache.resolve("k8s/1.37.2-linux-amd64").toString())
        .hasMessageContaining("KUBE_API_TEST_DIR");
  }

  @Test
  void incompleteDirectoryNamesWhatIsMissing() throws Exception {
    KubernetesBinaries binaries = new KubernetesBinaries(cache, "1.37.2", "linux-amd64");
    Files.createDirectories(binaries.directory());
    for (String binary : KubernetesBinaries.API_SERVER) {
      Files.createFile(
          binaries.path(binary),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    assertThat(binaries.require(KubernetesBinaries.API_SERVER)).isSameAs(binaries);
    assertThatThrownBy(() -> binaries.require(KubernetesBinaries.CONTROL_PLANE))
        .hasMessageContaining("kube-controller-manager, kube-scheduler missing from")
        .hasMessageContaining("scripts/k8s-binaries.sh");
  }
}
