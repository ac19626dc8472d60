package io.jobgtm.schema.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the requests a client sends: writes (anything but GET; watches are GETs) and GETs of
 * single namespaced objects, by resource ({@code pods}, {@code deployments}, ...).
 */
public final class RequestCounter {

  private static final Pattern OBJECT = Pattern.compile(".*/namespaces/[^/]+/([^/]+)/[^/]+$");

  private final AtomicInteger writes = new AtomicInteger();
  private final Map<String, AtomicInteger> objectReads = new ConcurrentHashMap<>();

  /** A client for {@code config} whose requests this counter counts. */
  public KubernetesClient client(Config config) {
    return observingClient(config, this::count);
  }

  /** A client for {@code config} that shows every request to {@code observer} before sending it. */
  public static KubernetesClient observingClient(Config config, Consumer<HttpRequest> observer) {
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory())
        .withHttpClientBuilderConsumer(
            builder ->
                builder.addOrReplaceInterceptor(
                    "observe-requests",
                    new Interceptor() {
                      @Override
                      public void before(
                          BasicBuilder builder, HttpRequest request, RequestTags tags) {
                        observer.accept(request);
                      }
                    }))
        .build();
  }

  public void count(HttpRequest request) {
    if (!"GET".equals(request.method())) {
      writes.incrementAndGet();
      return;
    }
    Matcher object = OBJECT.matcher(request.uri().getPath());
    if (object.matches()) {
      objectReads.computeIfAbsent(object.group(1), k -> new AtomicInteger()).incrementAndGet();
    }
  }

  public int writes() {
    return writes.get();
  }

  public void resetWrites() {
    writes.set(0);
  }

  /** GETs of single objects of a resource, e.g. {@code pods}. */
  public int objectReads(String resource) {
    AtomicInteger reads = objectReads.get(resource);
    return reads == null ? 0 : reads.get();
  }
}
