# syntax=docker/dockerfile:1
# The single image of schema-operator: the operator and the migrator, two commands.
#
#   docker build -t schema-operator:dev .
#
# /opt/schema-operator/bin/operator  the controller (the Deployment's command and the entrypoint)
# /opt/schema-operator/bin/migrate   the migrator (the command of every migration Job)
#
# No command here is tested only by building the image: ImageCommandsIT runs the build stage's
# script on a copy of the build context and both commands as plain processes (docs/helm.md).

FROM eclipse-temurin:17-jdk-noble AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 sh docker/build-image-home.sh /image/opt/schema-operator

FROM eclipse-temurin:17-jre-noble
# The version is the Maven project's without -SNAPSHOT, as the chart's appVersion (ReleaseVersionsTest).
LABEL org.opencontainers.image.title="schema-operator" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /image/ /
# JVM flags for a small pod (docs/helm.md, "JVM flags"); the chart sets its own for the operator.
ENV PATH="/opt/schema-operator/bin:${PATH}" \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:+ExitOnOutOfMemoryError"
# A numeric non-root user, so that the kubelet can verify runAsNonRoot.
# The migrator's AppCDS archive, trained on this very JVM (docs/benchmarks.md, "start-up").
COPY docker/train-cds.sh /tmp/train-cds.sh
RUN sh /tmp/train-cds.sh /opt/schema-operator && rm /tmp/train-cds.sh
USER 65532:65532
WORKDIR /tmp
ENTRYPOINT ["/opt/schema-operator/bin/operator"]
