package io.jobgtm.schema.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pod's volumes as directories of this machine, and the container's view of them: the kubelet
 * mounts each volume at its {@code mountPath}; here a process instead gets every path under a mount
 * rewritten to the volume's directory ({@link Mounts#hostPath}), and what it writes (its output,
 * its termination message) gets those directories written back as the mount paths ({@link
 * Mounts#containerView}), so that a status message, an Event or a log line reads as it would in a
 * cluster ({@code /migrations}, not a directory of the node agent).
 *
 * <p>{@code emptyDir} is an empty directory with mode 0777 as the kubelet makes it (a container
 * running as another user, such as PostgreSQL's, writes to it), {@code configMap} and {@code
 * secret} are their keys as files (all keys, or {@code items}), {@code hostPath} is the host's own
 * path. Other volume types become empty directories, enough for placeholder containers.
 *
 * <p>EmptyDirs are not under the pod's directory but under a short one of their own, one numbered
 * directory per volume ({@code /tmp/na-<id>/<pod>/<volume>}, see {@link NodeAgent}): a program may
 * put a Unix socket in one (PostgreSQL's {@code unix_socket_directories}), and a socket's path
 * holds at most 107 bytes ({@code sun_path}), which the pod's directory under a build's work
 * directory already exceeds.
 */
final class PodVolumes {

  private PodVolumes() {}

  /** Why the volumes cannot be set up yet; the kubelet retries, so does the agent. */
  static final class NotReady extends Exception {
    private static final long serialVersionUID = 1L;

    NotReady(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Writes the pod's volumes under {@code directory}, one subdirectory per volume, the emptyDirs
   * under {@code emptyDirDirectory}, one numbered subdirectory each.
   *
   * @return the host path of each volume, by name
   * @throws NotReady when a ConfigMap or Secret a volume needs does not exist yet
   */
  static Map<String, Path> prepare(
      KubernetesClient client, Pod pod, Path directory, Path emptyDirDirectory) throws NotReady {
    String namespace = pod.getMetadata().getNamespace();
    Map<String, Path> volumes = new LinkedHashMap<>();
    List<Volume> declared =
        pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
    try {
      int emptyDirs = 0;
      for (Volume volume : declared) {
        Path path = directory.resolve(volume.getName());
        if (volume.getHostPath() != null) {
          volumes.put(volume.getName(), Path.of(volume.getHostPath().getPath()));
          continue;
        }
        if (volume.getEmptyDir() != null) {
          path = emptyDirDirectory.resolve(String.valueOf(emptyDirs++));
          Files.createDirectories(path);
          // The kubelet's emptyDir mode; createDirectories would apply the umask.
          Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
          volumes.put(volume.getName(), path);
          continue;
        }
        Files.createDirectories(path);
        if (volume.getConfigMap() != null) {
          String name = volume.getConfigMap().getName();
          ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(name).get();
          if (configMap == null) {
            if (!Boolean.TRUE.equals(volume.getConfigMap().getOptional())) {
              throw new NotReady(
                  "MountVolume.SetUp failed for volume \""
                      + volume.getName()
                      + "\" : configmap \""
                      + name
                      + "\" not found");
            }
          } else {
            writeFiles(path, bytes(configMap), volume.getConfigMap().getItems());
          }
        } else if (volume.getSecret() != null) {
          String name = volume.getSecret().getSecretName();
          Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
          if (secret == null) {
            if (!Boolean.TRUE.equals(volume.getSecret().getOptional())) {
              throw new NotReady(
                  "MountVolume.SetUp failed for volume \""
                      + volume.getName()
                      + "\" : secret \""
                      + name
                      + "\" not found");
            }
          } else {
            writeFiles(path, bytes(secret), volume.getSecret().getItems());
          }
        }
        volumes.put(volume.getName(), path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return volumes;
  }

  private static Map<String, byte[]> bytes(ConfigMap configMap) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (configMap.getData() != null) {
      configMap.getData().forEach((k, v) -> files.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    if (configMap.getBinaryData() != null) {
      configMap.getBinaryData().forEach((k, v) -> files.put(k, Base64.getDecoder().decode(v)));
    }
    return files;
  }

  private static Map<String, byte[]> bytes(Secret secret) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    ContainerEnvironment.secretData(secret)
        .forEach((k, v) -> files.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return files;
  }

  private static void writeFiles(Path directory, Map<String, byte[]> data, List<KeyToPath> items)
      throws IOException, NotReady {
    if (items == null || items.isEmpty()) {
      for (Map.Entry<String, byte[]> entry : data.entrySet()) {
        Files.write(directory.resolve(entry.getKey()), entry.getValue());
      }
      return;
    }
    for (KeyToPath item : items) {
      byte[] content = data.get(item.getKey());
      if (content == null) {
        throw new NotReady("configmap references non-existent config key: " + item.getKey());
      }
      Path file = directory.resolve(item.getPath()).normalize();
      if (!file.startsWith(directory)) {
        throw new NotReady("invalid path " + item.getPath());
      }
      Files.createDirectories(file.getParent());
      Files.write(file, content);
    }
  }

  /**
   * A container's mounts: each mount path with the directory that backs it, the termination message
   * path included; {@code ownDirectories} are those of them the agent made for the pod (every mount
   * but a {@code hostPath} volume), longest directory first.
   */
  record Mounts(
      List<Map.Entry<String, Path>> byPath, List<Map.Entry<String, Path>> ownDirectories) {

    /** {@code --flag=}, {@code -f=} or {@code name=} before a path. */
    private static final Pattern SETTING = Pattern.compile("-{0,2}[A-Za-z_][A-Za-z0-9_.-]*=(?=/)");

    /**
     * @param podDirectories the agent's directories of the pod (its own, its emptyDirs'): only
     *     directories under them are mapped back to mount paths, never a {@code hostPath} volume's
     *     (its path is the host's own)
     */
    static Mounts of(
        Container container,
        Map<String, Path> volumes,
        Path terminationMessageFile,
        List<Path> podDirectories) {
      List<Map.Entry<String, Path>> entries = new ArrayList<>();
      if (container.getVolumeMounts() != null) {
        for (VolumeMount mount : container.getVolumeMounts()) {
          Path volume = volumes.get(mount.getName());
          if (volume == null) {
            continue;
          }
          Path backing =
              mount.getSubPath() == null || mount.getSubPath().isEmpty()
                  ? volume
                  : volume.resolve(mount.getSubPath());
          entries.add(Map.entry(trimSlash(mount.getMountPath()), backing));
        }
      }
      String terminationPath =
          Optional.ofNullable(container.getTerminationMessagePath()).orElse("/dev/termination-log");
      entries.add(Map.entry(terminationPath, terminationMessageFile));
      // The longest mount path wins, as the innermost mount does in a container.
      entries.sort(
          Comparator.comparing((Map.Entry<String, Path> e) -> e.getKey().length()).reversed());
      List<Map.Entry<String, Path>> own =
          entries.stream()
              .filter(e -> podDirectories.stream().anyMatch(e.getValue()::startsWith))
              .sorted(
                  Comparator.comparing(
                          (Map.Entry<String, Path> e) -> e.getValue().toString().length())
                      .reversed())
              .toList();
      return new Mounts(List.copyOf(entries), own);
    }

    /**
     * {@code text} as the container would have written it: each directory of the agent's that backs
     * a mount, wherever it appears as a whole path, replaced by the mount path.
     */
    String containerView(String text) {
      if (text == null || text.isEmpty()) {
        return text;
      }
      String view = text;
      for (Map.Entry<String, Path> mount : ownDirectories) {
        String host = mount.getValue().toString();
        if (view.contains(host)) {
          view =
              Pattern.compile(Pattern.quote(host) + "(?![A-Za-z0-9._-])")
                  .matcher(view)
                  .replaceAll(Matcher.quoteReplacement(mount.getKey()));
        }
      }
      return view;
    }

    /** The host path a container path maps to, or empty when no mount covers it. */
    Optional<Path> hostPath(String containerPath) {
      for (Map.Entry<String, Path> mount : byPath) {
        String prefix = mount.getKey();
        if (containerPath.equals(prefix)) {
          return Optional.of(mount.getValue());
        }
        if (containerPath.startsWith(prefix + "/")) {
          return Optional.of(
              mount.getValue().resolve(containerPath.substring(prefix.length() + 1)));
        }
      }
      return Optional.empty();
    }

    /**
     * A value that is a path under a mount, several such paths separated by commas (a list of
     * directories, such as Flyway's locations), or a {@code --flag=} or a {@code name=} (a setting,
     * such as PostgreSQL's {@code unix_socket_directories=} after {@code -c}) followed by one, with
     * each path rewritten; anything else unchanged.
     */
    String rewrite(String value) {
      if (value == null) {
        return null;
      }
      if (value.startsWith("/") && value.contains(",")) {
        String[] parts = value.split(",", -1);
        boolean allMounted = true;
        for (String part : parts) {
          allMounted &= part.startsWith("/") && hostPath(part).isPresent();
        }
        if (allMounted) {
          List<String> rewritten = new ArrayList<>();
          for (String part : parts) {
            rewritten.add(hostPath(part).map(Path::toString).orElseThrow());
          }
          return String.join(",", rewritten);
        }
      }
      if (value.startsWith("/")) {
        return hostPath(value).map(Path::toString).orElse(value);
      }
      Matcher setting = SETTING.matcher(value);
      if (setting.lookingAt()) {
        return setting.group() + rewrite(value.substring(setting.end()));
      }
      return value;
    }

    private static String trimSlash(String path) {
      return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
  }
}
