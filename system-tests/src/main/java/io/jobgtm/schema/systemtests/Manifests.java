package io.jobgtm.schema.systemtests;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.SchemaVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The repository's own manifests (CRD, examples, migrations) as objects for tests. */
public final class Manifests {

  private Manifests() {}

  /**
   * The repository: the nearest directory at or above the working directory holding {@code .mvn}.
   */
  public static Path repository() {
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path directory = start; directory != null; directory = directory.getParent()) {
      if (Files.isDirectory(directory.resolve(".mvn"))) {
        return directory;
      }
    }
    throw new IllegalStateException("no repository (a directory with .mvn/) at or above " + start);
  }

  public static String read(String relativePath) {
    try {
      return Files.readString(repository().resolve(relativePath));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Installs the generated CRD and waits until it is established. */
  public static void installCrd(KubernetesClient client) {
    CustomResourceDefinition crd =
        Serialization.unmarshal(
            read("crds/schemaversions.schema.jobgtm.io-v1.yml"), CustomResourceDefinition.class);
    client.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                client
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(SchemaVersion.CRD_NAME)
                    .get()
                    .getStatus()
                    .getConditions()
                    .stream()
                    .anyMatch(
                        c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
  }

  /** Creates a namespace where Pod Security admission enforces the restricted standard. */
  public static void restrictedNamespace(KubernetesClient client, String name) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                .endMetadata()
                .build())
        .serverSideApply();
  }

  /** The example SchemaVersion under another name. */
  public static SchemaVersion exampleSchemaVersion(String name) {
    SchemaVersion resource =
        Serialization.unmarshal(read("examples/workflow-schemaversion.yaml"), SchemaVersion.class);
    resource.getMetadata().setName(name);
    return resource;
  }

  /**
   * The example SchemaVersion under another name and on a database of that name: SchemaVersions of
   * one namespace on one database and schema conflict (all but the oldest are Stalled with {@code
   * ConflictingSchemaVersion}), so tests and benchmarks that create many give each its own.
   */
  public static SchemaVersion exampleSchemaVersionOnItsOwnDatabase(String name) {
    SchemaVersion resource = exampleSchemaVersion(name);
    resource.getSpec().getDatabase().setName(name);
    return resource;
  }

  public static <T extends HasMetadata> T example(String file, Class<T> type) {
    return Serialization.unmarshal(read("examples/" + file), type);
  }

  /**
   * The migrations ConfigMap as {@code kubectl create configmap --from-file=migrations/} makes it.
   */
  public static ConfigMap migrationsConfigMap(String name) {
    Map<String, String> data = new TreeMap<>();
    try (Stream<Path> files = Files.list(repository().resolve("migrations"))) {
      for (Path file : files.toList()) {
        data.put(file.getFileName().toString(), Files.readString(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withData(data)
        .build();
  }

  /** A ConfigMap of migration files, as {@code kubectl create configmap --from-file} makes it. */
  public static ConfigMap configMap(String name, Map<String, String> files) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withData(new TreeMap<>(files))
        .build();
  }
}
