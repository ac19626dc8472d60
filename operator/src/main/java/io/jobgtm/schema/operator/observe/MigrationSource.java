package io.jobgtm.schema.operator.observe;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a migration Job reads its migrations, resolved from {@code spec.migrations}, with a
 * checksum that changes whenever the migrations do.
 */
public sealed interface MigrationSource {

  /** Identifies the migration set for the Job's hash. */
  String checksum();

  /** The reference migrations bundled in the migrator image. */
  record Bundled() implements MigrationSource {
    @Override
    public String checksum() {
      return "bundled";
    }
  }

  /** A ConfigMap whose keys are migration file names; {@code configMap} is null when missing. */
  record FromConfigMap(String name, ConfigMap configMap) implements MigrationSource {

    public boolean exists() {
      return configMap != null;
    }

    @Override
    public String checksum() {
      if (configMap == null) {
        return "missing";
      }
      MessageDigest digest = sha256();
      Map<String, String> data = new TreeMap<>();
      if (configMap.getData() != null) {
        data.putAll(configMap.getData());
      }
      if (configMap.getBinaryData() != null) {
        configMap.getBinaryData().forEach((key, value) -> data.put(key, "binary:" + value));
      }
      data.forEach(
          (key, value) -> {
            digest.update(key.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(value.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
          });
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  /**
   * Several ConfigMaps read as one set, in the order of {@code spec.migrations.configMapRefs}: each
   * a {@link FromConfigMap}, whose {@code configMap} is null when missing.
   */
  record FromConfigMaps(List<FromConfigMap> configMaps) implements MigrationSource {

    public FromConfigMaps {
      configMaps = List.copyOf(configMaps);
    }

    /** The first ConfigMap that does not exist, if any. */
    public Optional<FromConfigMap> missing() {
      return configMaps.stream().filter(configMap -> !configMap.exists()).findFirst();
    }

    /** Changes when any ConfigMap's content, name or place in the list does. */
    @Override
    public String checksum() {
      MessageDigest digest = sha256();
      for (FromConfigMap configMap : configMaps) {
        digest.update(configMap.name().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(configMap.checksum().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  /** An image holding the migrations under {@code path}. */
  record FromImage(String reference, String path) implements MigrationSource {
    @Override
    public String checksum() {
      return reference + "|" + path;
    }
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
