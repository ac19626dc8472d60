package io.jobgtm.schema.systemtests.chart;

import java.io.IOException;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.xml.sax.SAXException;

/**
 * The project's version, the one source every other version follows: {@code <version>} of the root
 * {@code pom.xml}. Its release is the same without {@code -SNAPSHOT}: the chart's {@code version}
 * and {@code appVersion}, the image's tag and label.
 */
final class ProjectVersion {

  private static final String SNAPSHOT = "-SNAPSHOT";

  private ProjectVersion() {}

  /** The root pom's version, for example {@code 0.1.0-SNAPSHOT}. */
  static String maven() {
    Path pom = Chart.repository().resolve("pom.xml");
    try {
      return XPathFactory.newInstance()
          .newXPath()
          .evaluate(
              "/project/version",
              DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()))
          .strip();
    } catch (IOException
        | SAXException
        | ParserConfigurationException
        | XPathExpressionException e) {
      throw new IllegalStateException("cannot read the version of " + pom, e);
    }
  }

  /** The version a release of this tree carries, for example {@code 0.1.0}. */
  static String release() {
    String version = maven();
    return version.endsWith(SNAPSHOT)
        ? version.substring(0, version.length() - SNAPSHOT.length())
        : version;
  }

  static boolean isSnapshot() {
    return maven().endsWith(SNAPSHOT);
  }
}
