package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** An image whose file system carries the migration scripts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationImage {

  // The parts of REFERENCE_PATTERN, as regexp.go of github.com/distribution/reference names them.
  private static final String DOMAIN_COMPONENT = "[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?";
  private static final String HOST =
      "(" + DOMAIN_COMPONENT + "(\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])";
  private static final String PATH_COMPONENT = "[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*";
  private static final String NAME =
      "(" + HOST + "(:[0-9]+)?/)?" + PATH_COMPONENT + "(/" + PATH_COMPONENT + ")*";
  private static final String TAG = "[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}";
  // Narrower than the grammar's digest: parsing also checks it with go-digest, which knows these
  // three algorithms only, each as lowercase hex of its length.
  private static final String DIGEST =
      "sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}";

  /**
   * A container image reference, {@code [host[:port]/]path[:tag][@digest]}: the grammar of {@code
   * github.com/distribution/reference} (v0.6.0, {@code reference.go}), which containerd parses
   * image names with (CRI-O with its copy in {@code containers/image}). The host may have uppercase
   * letters, the path components are lowercase alphanumerics joined by {@code .}, {@code _}, {@code
   * __} or dashes, the tag has at most 128 characters and the digest is a sha256, sha384 or sha512
   * one in lowercase hex. No whitespace anywhere.
   */
  public static final String REFERENCE_PATTERN =
      "^" + NAME + "(:" + TAG + ")?(@(" + DIGEST + "))?$";

  /**
   * The most characters of a reference: a name of 255 characters (the grammar's limit), a tag of
   * 128 and a sha512 digest ({@code @sha512:} and 128 hex digits).
   */
  public static final int MAX_REFERENCE_LENGTH = 255 + 1 + 128 + 1 + 7 + 128;

  @JsonPropertyDescription(
      "Image reference, [host[:port]/]path[:tag][@digest], such as"
          + " registry.example.com/app/migrations:1.4.0 or with a @sha256:<64 hex digits> digest:"
          + " lowercase path, no whitespace, at most 520 characters.")
  @Required
  @Size(min = 1, max = MAX_REFERENCE_LENGTH)
  @Pattern(REFERENCE_PATTERN)
  private String reference;

  @JsonPropertyDescription("Absolute path of the directory holding the scripts inside the image.")
  @Default("/migrations")
  @Pattern("^/.*$")
  private String path = "/migrations";

  public String getReference() {
    return reference;
  }

  public void setReference(String reference) {
    this.reference = reference;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationImage that
        && Objects.equals(reference, that.reference)
        && Objects.equals(path, that.path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(reference, path);
  }

  @Override
  public String toString() {
    return "MigrationImage{reference=" + reference + ", path=" + path + '}';
  }
}
