package io.jobgtm.schema.api;

/**
 * The grammars of the Kubernetes names that spec fields become in the migration Job: object names
 * ({@code secretKeyRef.name}, the ConfigMap volume, {@code serviceAccountName}, gated Deployments)
 * and Secret keys ({@code secretKeyRef.key}). The CRD checks them at apply time, so a bad name is
 * refused with the field's path instead of failing when the operator creates the Job or the kubelet
 * starts its pod.
 *
 * <p>Source: Kubernetes {@code k8s.io/apimachinery/pkg/util/validation} ({@code
 * IsDNS1123Subdomain}, {@code IsConfigMapKey}), as {@code pkg/apis/core/validation} applies them to
 * pod specs.
 */
public final class KubernetesNames {

  /**
   * A DNS-1123 subdomain: lowercase alphanumeric labels of {@code -} and alphanumerics, joined by
   * {@code .}; the form of Secret, ConfigMap, ServiceAccount and Deployment names.
   */
  public static final String DNS1123_SUBDOMAIN_PATTERN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** The most characters of a DNS-1123 subdomain, and of a Secret or ConfigMap key. */
  public static final int DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

  /**
   * A key of a Secret or ConfigMap: letters, digits, {@code -}, {@code _} and {@code .}, but not
   * {@code .}, nor {@code ..}, nor starting with {@code ..} ({@code IsConfigMapKey}).
   */
  public static final String SECRET_KEY_PATTERN = "^\\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]*$";

  /** The most characters of a label value, such as the SchemaVersion name on its Job. */
  public static final int LABEL_VALUE_MAX_LENGTH = 63;

  private KubernetesNames() {}
}
