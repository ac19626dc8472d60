package io.jobgtm.schema.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as a kubelet computes it: {@code envFrom} first, then {@code env} in
 * order, {@code $(VAR)} references expanded against what is defined before; Secrets and ConfigMaps
 * read from the API server. A missing Secret, ConfigMap or key fails with the kubelet's own
 * message, which becomes the container's {@code CreateContainerConfigError}.
 */
final class ContainerEnvironment {

  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][-._A-Za-z0-9]*)\\)");

  private final KubernetesClient client;
  private final Pod pod;
  private final String namespace;
  private final Map<String, Optional<Secret>> secrets = new HashMap<>();
  private final Map<String, Optional<ConfigMap>> configMaps = new HashMap<>();

  private ContainerEnvironment(KubernetesClient client, Pod pod) {
    this.client = client;
    this.pod = pod;
    this.namespace = pod.getMetadata().getNamespace();
  }

  /** Why a container cannot be created: the reason and message a kubelet reports. */
  static final class ConfigError extends Exception {
    private static final long serialVersionUID = 1L;

    ConfigError(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The container's variables, in definition order.
   *
   * @throws ConfigError naming what is missing, as the kubelet says it
   */
  static Map<String, String> resolve(KubernetesClient client, Pod pod, Container container)
      throws ConfigError {
    return new ContainerEnvironment(client, pod).resolve(container);
  }

  /** Expands {@code $(VAR)} references the way the kubelet does; unknown references stay. */
  static String expand(String value, Map<String, String> defined) {
    if (value == null || value.indexOf('$') < 0) {
      return value;
    }
    Matcher matcher = REFERENCE.matcher(value);
    StringBuilder expanded = new StringBuilder();
    while (matcher.find()) {
      String replacement;
      if (matcher.group(1) == null) {
        replacement = "$";
      } else {
        replacement = defined.getOrDefault(matcher.group(1), matcher.group());
      }
      matcher.appendReplacement(expanded, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(expanded);
    return expanded.toString();
  }

  private Map<String, String> resolve(Container container) throws ConfigError {
    Map<String, String> env = new LinkedHashMap<>();
    if (container.getEnvFrom() != null) {
      for (EnvFromSource source : container.getEnvFrom()) {
        String prefix = Objects.requireNonNullElse(source.getPrefix(), "");
        if (source.getConfigMapRef() != null) {
          String name = source.getConfigMapRef().getName();
          Optional<ConfigMap> configMap = configMap(name);
          if (configMap.isEmpty()) {
            if (Boolean.TRUE.equals(source.getConfigMapRef().getOptional())) {
              continue;
            }
            throw new ConfigError("configmap \"" + name + "\" not found");
          }
          configMapData(configMap.get()).forEach((key, value) -> env.put(prefix + key, value));
        }
        if (source.getSecretRef() != null) {
          String name = source.getSecretRef().getName();
          Optional<Secret> secret = secret(name);
          if (secret.isEmpty()) {
            if (Boolean.TRUE.equals(source.getSecretRef().getOptional())) {
              continue;
            }
            throw new ConfigError("secret \"" + name + "\" not found");
          }
          secretData(secret.get()).forEach((key, value) -> env.put(prefix + key, value));
        }
      }
    }
    if (container.getEnv() != null) {
      for (EnvVar variable : container.getEnv()) {
        String value =
            variable.getValueFrom() == null
                ? expand(Objects.requireNonNullElse(variable.getValue(), ""), env)
                : valueFrom(variable.getValueFrom(), container);
        if (value != null) {
          env.put(variable.getName(), value);
        }
      }
    }
    return env;
  }

  /** The value of a {@code valueFrom}, or null when an optional source is missing. */
  private String valueFrom(EnvVarSource source, Container container) throws ConfigError {
    if (source.getSecretKeyRef() != null) {
      SecretKeySelector ref = source.getSecretKeyRef();
      boolean optional = Boolean.TRUE.equals(ref.getOptional());
      Optional<Secret> secret = secret(ref.getName());
      if (secret.isEmpty()) {
        if (optional) {
          return null;
        }
        throw new ConfigError("secret \"" + ref.getName() + "\" not found");
      }
      String value = secretData(secret.get()).get(ref.getKey());
      if (value == null && !optional) {
        throw new ConfigError(
            "couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName());
      }
      return value;
    }
    if (source.getConfigMapKeyRef() != null) {
      ConfigMapKeySelector ref = source.getConfigMapKeyRef();
      boolean optional = Boolean.TRUE.equals(ref.getOptional());
      Optional<ConfigMap> configMap = configMap(ref.getName());
      if (configMap.isEmpty()) {
        if (optional) {
          return null;
        }
        throw new ConfigError("configmap \"" + ref.getName() + "\" not found");
      }
      String value = configMapData(configMap.get()).get(ref.getKey());
      if (value == null && !optional) {
        throw new ConfigError(
            "couldn't find key "
                + ref.getKey()
                + " in ConfigMap "
                + namespace
                + "/"
                + ref.getName());
      }
      return value;
    }
    if (source.getFieldRef() != null) {
      return field(source.getFieldRef());
    }
    if (source.getResourceFieldRef() != null) {
      return resource(source.getResourceFieldRef(), container);
    }
    throw new ConfigError("unsupported valueFrom " + source);
  }

  private String field(ObjectFieldSelector selector) throws ConfigError {
    String path = selector.getFieldPath();
    Matcher keyed = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]").matcher(path);
    if (keyed.matches()) {
      Map<String, String> map =
          "labels".equals(keyed.group(1))
              ? pod.getMetadata().getLabels()
              : pod.getMetadata().getAnnotations();
      return map == null ? "" : map.getOrDefault(keyed.group(2), "");
    }
    return switch (path) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> namespace;
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" ->
          Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "");
      case "status.hostIP", "status.podIP" -> NodeAgent.NODE_IP;
      case "status.hostIPs", "status.podIPs" -> NodeAgent.NODE_IP;
      default -> throw new ConfigError("unsupported fieldRef " + path);
    };
  }

  /** limits.cpu, limits.memory, requests.cpu, requests.memory, as the kubelet rounds them. */
  private static String resource(ResourceFieldSelector selector, Container container)
      throws ConfigError {
    String[] parts = selector.getResource().split("\\.", 2);
    if (parts.length != 2) {
      throw new ConfigError("unsupported resourceFieldRef " + selector.getResource());
    }
    Map<String, Quantity> values =
        container.getResources() == null
            ? null
            : "limits".equals(parts[0])
                ? container.getResources().getLimits()
                : container.getResources().getRequests();
    Quantity quantity = values == null ? null : values.get(parts[1]);
    if (quantity == null) {
      // Without a limit the kubelet reports the node's allocatable amount.
      quantity = "cpu".equals(parts[1]) ? new Quantity("8") : new Quantity("16Gi");
    }
    BigDecimal divisor =
        selector.getDivisor() == null
            ? BigDecimal.ONE
            : Quantity.getAmountInBytes(selector.getDivisor());
    BigDecimal amount = Quantity.getAmountInBytes(quantity);
    return amount.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
  }

  private Optional<Secret> secret(String name) {
    return secrets.computeIfAbsent(
        name, n -> Optional.ofNullable(client.secrets().inNamespace(namespace).withName(n).get()));
  }

  private Optional<ConfigMap> configMap(String name) {
    return configMaps.computeIfAbsent(
        name,
        n -> Optional.ofNullable(client.configMaps().inNamespace(namespace).withName(n).get()));
  }

  static Map<String, String> secretData(Secret secret) {
    Map<String, String> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (key, value) ->
                  data.put(
                      key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      data.putAll(secret.getStringData());
    }
    return data;
  }

  static Map<String, String> configMapData(ConfigMap configMap) {
    Map<String, String> data = new LinkedHashMap<>();
    if (configMap.getData() != null) {
      data.putAll(configMap.getData());
    }
    if (configMap.getBinaryData() != null) {
      configMap
          .getBinaryData()
          .forEach(
              (key, value) ->
                  data.put(
                      key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
    }
    return data;
  }
}
