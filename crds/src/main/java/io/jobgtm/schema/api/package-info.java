/**
 * The {@code SchemaVersion} custom resource ({@code schema.jobgtm.io/v1alpha1}, short name {@code
 * sv}): the Java model that is the source of truth of the CRD, and the pure helpers that belong to
 * the API ({@link io.jobgtm.schema.api.Conditions}).
 *
 * <p>The CRD YAML is generated from these classes by fabric8's crd-generator at build time; every
 * {@code @JsonPropertyDescription} becomes {@code kubectl explain} output, and the fabric8
 * generator annotations ({@code @Default}, {@code @Min}, {@code @Pattern}, {@code @ValidationRule},
 * ...) become the OpenAPI schema and CEL rules the API server enforces. The Java field initializers
 * repeat the CRD defaults so that an object built in Java behaves like one read from the cluster.
 */
package io.jobgtm.schema.api;
