package io.jobgtm.schema.operator;

import io.fabric8.kubernetes.client.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the requests a client sends: writes (anything but GET; watches are GETs) and GETs of
 * single namespaced objects, by resource ({@code pods}, {@code deployments}, ...).
 */
final class RequestCounter {

  private static final Pattern OBJECT = Pattern.compile(".*/namespaces/[^/]+/([^/]+)/[^/]+$");

  private final AtomicInteger writes = new AtomicInteger();
  private final Map<String, AtomicInteger> objectReads = new ConcurrentHashMap<>();

  void count(HttpRequest request) {
    if (!"GET".equals(request.method())) {
      writes.incrementAndGet();
      return;
    }
    Matcher object = OBJECT.matcher(request.uri().getPath());
    if (object.matches()) {
      objectReads.computeIfAbsent(object.group(1), k -> new AtomicInteger()).incrementAndGet();
    }
  }

  int writes() {
    return writes.get();
  }

  void resetWrites() {
    writes.set(0);
  }

  /** GETs of single objects of a resource, e.g. {@code pods}. */
  int objectReads(String resource) {
    AtomicInteger reads = objectReads.get(resource);
    return reads == null ? 0 : reads.get();
  }
}
