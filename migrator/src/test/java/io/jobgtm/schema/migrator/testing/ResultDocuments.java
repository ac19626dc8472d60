package io.jobgtm.schema.migrator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.MigrationResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads result documents in tests, as the operator would see them. */
public final class ResultDocuments {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultDocuments() {}

  /** The result as the JSON document the migrator writes. */
  public static JsonNode json(MigrationResult result) {
    try {
      return JSON.readTree(result.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The texts of an array field, empty when the document omits it. */
  public static List<String> texts(JsonNode document, String field) {
    List<String> values = new ArrayList<>();
    JsonNode array = document.get(field);
    if (array != null) {
      array.forEach(value -> values.add(value.asText()));
    }
    return values;
  }
}
