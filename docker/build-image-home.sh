#!/bin/sh
# Builds the image's /opt/schema-operator from the source tree. The Dockerfile's build stage runs
# it, and so does ImageCommandsIT, on a copy of the Docker build context:
#   bin/operator, bin/migrate   the image's two commands (docker/bin)
#   lib/                        the operator's jar and its runtime dependencies, its classpath
#   migrator/migrator.jar       the shaded migrator, the reference migrations inside
# The migrator stays out of lib/: the operator must never have JDBC or Flyway on its classpath.
# Usage, from the repository root: sh docker/build-image-home.sh DESTINATION
# Extra Maven flags go in MAVEN_ARGS (e.g. MAVEN_ARGS=-q).
set -eu
dest="${1:?usage: sh docker/build-image-home.sh DESTINATION}"

./mvnw -B -pl migrator,operator -am -DskipTests package \
  org.apache.maven.plugins:maven-dependency-plugin:3.7.0:copy-dependencies \
  -DincludeScope=runtime

only() {
  if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
    echo "build-image-home: expected exactly one file, found: $*" >&2
    exit 1
  fi
  printf '%s\n' "$1"
}
operator_jar="$(only operator/target/operator-*.jar)"
migrator_jar="$(only migrator/target/migrator-*-all.jar)"

rm -rf "$dest"
mkdir -p "$dest/bin" "$dest/lib" "$dest/migrator"
cp docker/bin/operator docker/bin/migrate "$dest/bin/"
chmod 0755 "$dest/bin/operator" "$dest/bin/migrate"
cp operator/target/dependency/*.jar "$dest/lib/"
cp "$operator_jar" "$dest/lib/"
cp "$migrator_jar" "$dest/migrator/migrator.jar"
chmod -R a+rX "$dest"
