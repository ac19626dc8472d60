package io.jobgtm.schema.testing;

/** API server messages whose wording differs by Kubernetes version, compared in one form. */
public final class ApiServerMessages {

  private ApiServerMessages() {}

  /**
   * A failed CRD validation rule on an object or an array: before 1.35 the API server writes the
   * value's type, {@code spec.migrations: Invalid value: "object": <message>}; from 1.35 it leaves
   * it out, {@code spec.migrations: Invalid value: <message>}. Returns the newer form.
   */
  public static String withoutRuleValueType(String message) {
    return message
        .replace("Invalid value: \"object\": ", "Invalid value: ")
        .replace("Invalid value: \"array\": ", "Invalid value: ");
  }
}
