#!/usr/bin/env bash
#
# Builds REAL Kubernetes control-plane binaries from source, fetched only through
# the Go module proxy (no GitHub / dl.k8s.io downloads):
#
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#       from module k8s.io/kubernetes  (cmd/<name>)
#   etcd
#       from module go.etcd.io/etcd/server/v3 (its root package is etcd's main)
#
# and installs them into the offline binary cache of fabric8 kube-api-test
# (io.fabric8:kube-api-test 7.5.x), i.e.
#
#   ${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/<K8S_VERSION>-<os>-<arch>/
#       etcd  kube-apiserver  kubectl            <- used by kube-api-test
#       kube-controller-manager  kube-scheduler  <- extra, started by our own tests
#       .k8s-binaries.stamp                      <- written last; marks a complete build
#
# kube-api-test (BinaryManager) uses "<dir>/k8s/<version>-<os>-<arch>" when a
# version is configured (withApiServerVersion / KUBE_API_TEST_API_SERVER_VERSION
# / @EnableKubeAPIServer(kubeAPIVersion=...)), otherwise the highest version
# directory present; it downloads nothing if that directory exists.
#
# Usage: scripts/k8s-binaries.sh [--print-dir] [--force] [--update-lock] [-h]
#
#   --print-dir    print the target directory; exit 0 if it holds a complete
#                  build for the pinned versions, 1 otherwise. Builds nothing.
#   --force        rebuild even if the target directory is complete.
#   --update-lock  regenerate the committed wrapper modules
#                  (scripts/k8s-binaries/[<k8s-version>/]{kubernetes,etcd}/go.{mod,sum})
#                  for the selected versions, then build.
#
# Environment:
#   K8S_VERSION        Kubernetes version to build (without "v"); default below.
#   ETCD_VERSION       etcd version to build (without "v"). Default: the etcd the
#                      Kubernetes release is tested with, as pinned below for the
#                      pinned releases, else read from that release's
#                      hack/lib/etcd.sh (ETCD_VERSION=...) through the module proxy.
#   KUBE_API_TEST_DIR  cache root (same variable kube-api-test reads);
#                      default $HOME/.kubeapitest (kube-api-test's default).
#
# Requirements: only `go` on PATH (a toolchain new enough for the pinned
# Kubernetes release; GOTOOLCHAIN=local is forced, nothing is auto-downloaded
# besides modules). Uses the default GOCACHE/GOMODCACHE so re-builds are
# incremental. Measured on 2 cores / go1.26.8: cold (empty GOCACHE) ~4.5 min,
# forced rebuild with warm GOCACHE ~8 s, no-op when complete ~0.3 s.
#
# How the Kubernetes build works: k8s.io/kubernetes' go.mod requires its staging
# modules (k8s.io/api, k8s.io/client-go, ...) at v0.0.0 and replaces them with
# ./staging/src/..., which does not apply to a dependent module. The wrapper
# module therefore requires k8s.io/kubernetes v1.X.Y and replaces every staging
# module required at v0.0.0 with its published v0.X.Y. The list is derived from
# the kubernetes go.mod served by the proxy (see generate_k8s_module), and the
# result for the pinned versions is committed as a lock under
# scripts/k8s-binaries/ (go.sum included), so a build of the pinned versions is
# fully reproducible; other versions are generated on the fly.
#
# Pinned releases and their locks:
#   DEFAULT_K8S_VERSION  what every test runs on; lock in scripts/k8s-binaries/{kubernetes,etcd}/
#   OLDEST_K8S_VERSION   the oldest Kubernetes the chart supports (kubeVersion), for the
#                        version matrix (./mvnw verify -Pk8s-oldest); lock in
#                        scripts/k8s-binaries/<version>/{kubernetes,etcd}/

set -euo pipefail

# ---- pinned versions ---------------------------------------------------------
DEFAULT_K8S_VERSION="1.37.2"   # newest k8s.io/kubernetes served by the proxy that builds with Go 1.26
DEFAULT_ETCD_VERSION="3.7.3"   # k8s 1.37 is built/tested against etcd 3.7.x (hack/lib/etcd.sh: 3.7.0)
# The oldest supported release (the chart's kubeVersion). 1.31.4 is the newest 1.31 patch for
# which the module proxy serves k8s.io/kubernetes and every staging module the build needs; for
# each later patch at least one is "not available" (v1.31.14: k8s.io/kube-controller-manager,
# k8s.io/kube-scheduler and k8s.io/endpointslice v0.31.14; v1.31.13: k8s.io/cloud-provider).
OLDEST_K8S_VERSION="1.31.4"
OLDEST_ETCD_VERSION="3.5.15"   # v1.31.4 hack/lib/etcd.sh and kubeadm's DefaultEtcdVersion: 3.5.15
K8S_VERSION="${K8S_VERSION:-$DEFAULT_K8S_VERSION}"
K8S_VERSION="${K8S_VERSION#v}"
ETCD_VERSION="${ETCD_VERSION:-}"
ETCD_VERSION="${ETCD_VERSION#v}"
# -----------------------------------------------------------------------------

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOCK_ROOT="${SCRIPT_DIR}/k8s-binaries"
CACHE_ROOT="${KUBE_API_TEST_DIR:-${HOME}/.kubeapitest}"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl)
STAMP_NAME=".k8s-binaries.stamp"

log() { printf '[k8s-binaries] %s\n' "$*" >&2; }
die() { printf '[k8s-binaries] ERROR: %s\n' "$*" >&2; exit 2; }

usage() { sed -n '2,/^set -euo/{/^#/{s/^# \{0,1\}//;p}}' "${BASH_SOURCE[0]}"; }

PRINT_DIR=false
FORCE=false
UPDATE_LOCK=false
for arg in "$@"; do
  case "$arg" in
    --print-dir) PRINT_DIR=true ;;
    --force) FORCE=true ;;
    --update-lock) UPDATE_LOCK=true ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

[[ "$K8S_VERSION" =~ ^1\.([0-9]+)\.([0-9]+)$ ]] || die "K8S_VERSION must look like 1.X.Y, got '$K8S_VERSION'"
K8S_MINOR="${BASH_REMATCH[1]}"
K8S_PATCH="${BASH_REMATCH[2]}"
STAGING_VERSION="v0.${K8S_MINOR}.${K8S_PATCH}"

# The etcd a Kubernetes release is tested with: its hack/lib/etcd.sh, from the module proxy.
release_etcd_version() {
  local json dir version
  json="$(cd "${TMPDIR:-/tmp}" && GOWORK=off GOTOOLCHAIN=local \
    go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}")" \
    || die "cannot download k8s.io/kubernetes@v${K8S_VERSION} to read its etcd version:
$json"
  dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -n 1)"
  version="$(sed -n 's/^ETCD_VERSION=\${ETCD_VERSION:-\([0-9.]*\)}.*/\1/p' "$dir/hack/lib/etcd.sh" 2>/dev/null | head -n 1)"
  [[ -n "$version" ]] || die "no ETCD_VERSION in $dir/hack/lib/etcd.sh; set ETCD_VERSION"
  echo "$version"
}

if [[ -z "$ETCD_VERSION" ]]; then
  case "$K8S_VERSION" in
    "$DEFAULT_K8S_VERSION") ETCD_VERSION="$DEFAULT_ETCD_VERSION" ;;
    "$OLDEST_K8S_VERSION") ETCD_VERSION="$OLDEST_ETCD_VERSION" ;;
    *) command -v go >/dev/null 2>&1 || die "'go' not found on PATH"
       ETCD_VERSION="$(release_etcd_version)"
       log "Kubernetes v${K8S_VERSION} is tested with etcd v${ETCD_VERSION} (its hack/lib/etcd.sh)" ;;
  esac
fi
[[ "$ETCD_VERSION" =~ ^3\.[0-9]+\.[0-9]+$ ]] || die "ETCD_VERSION must look like 3.X.Y, got '$ETCD_VERSION'"

# Platform suffix exactly as kube-api-test computes it (Utils.platformSuffix / OSInfo):
# "-" + lower-case os.name ("linux", "darwin") + "-" + arch ("amd64", "arm64", "ppc64le").
case "$(uname -s)" in
  Linux) HOST_OS=linux ;;
  Darwin) HOST_OS=darwin ;;
  *) die "unsupported OS $(uname -s)" ;;
esac
case "$(uname -m)" in
  x86_64|amd64) HOST_ARCH=amd64 ;;
  aarch64|arm64) HOST_ARCH=arm64 ;;
  ppc64le) HOST_ARCH=ppc64le ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac

TARGET_DIR="${CACHE_ROOT}/k8s/${K8S_VERSION}-${HOST_OS}-${HOST_ARCH}"
STAMP_CONTENT="k8s_version=${K8S_VERSION}
etcd_version=${ETCD_VERSION}"

is_complete() {
  local b
  for b in "${BINARIES[@]}"; do
    [[ -f "${TARGET_DIR}/${b}" && -x "${TARGET_DIR}/${b}" ]] || return 1
  done
  [[ -f "${TARGET_DIR}/${STAMP_NAME}" ]] || return 1
  [[ "$(head -n 2 "${TARGET_DIR}/${STAMP_NAME}")" == "$STAMP_CONTENT" ]]
}

if $PRINT_DIR; then
  echo "$TARGET_DIR"
  is_complete && exit 0 || exit 1
fi

print_versions() {
  local d="$1"
  echo "--- binaries in ${d}"
  echo "kube-apiserver:          $("$d/kube-apiserver" --version)"
  echo "kube-controller-manager: $("$d/kube-controller-manager" --version)"
  echo "kube-scheduler:          $("$d/kube-scheduler" --version)"
  echo "kubectl:                 $("$d/kubectl" version --client 2>/dev/null | tr '\n' ' ')"
  echo "etcd:                    $("$d/etcd" --version | tr '\n' ' ')"
}

if ! $FORCE && ! $UPDATE_LOCK && is_complete; then
  log "complete build of Kubernetes v${K8S_VERSION} / etcd v${ETCD_VERSION} already present, nothing to do"
  print_versions "$TARGET_DIR"
  exit 0
fi

# ---- build prerequisites ------------------------------------------------------
command -v go >/dev/null 2>&1 || die "'go' not found on PATH. Install Go (>= the version required by k8s.io/kubernetes v${K8S_VERSION}, e.g. 1.26) and retry."
export GOTOOLCHAIN=local   # never auto-download a toolchain; fail clearly instead
export CGO_ENABLED=0
unset GOOS GOARCH
export GOWORK=off

mkdir -p "${CACHE_ROOT}/k8s"

# One build at a time per cache root.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${CACHE_ROOT}/.k8s-binaries.lock"
  if ! flock -n 9; then
    log "another build holds ${CACHE_ROOT}/.k8s-binaries.lock, waiting..."
    flock 9
  fi
  if ! $FORCE && ! $UPDATE_LOCK && is_complete; then
    log "complete build appeared while waiting for the lock, nothing to do"
    print_versions "$TARGET_DIR"
    exit 0
  fi
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/k8s-binaries-work.XXXXXX")"
# Staging dir on the same filesystem as the target so the final rename is atomic.
# Its name does not end in "-<os>-<arch>", so kube-api-test never picks it up.
STAGE="$(mktemp -d "${CACHE_ROOT}/.k8s-binaries-build.XXXXXX")"
cleanup() { rm -rf "$WORK" "$STAGE"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints one field ("GoMod", "Info", ...) of `go mod download -json` for module@version.
mod_download_field() {
  local modver="$1" field="$2" json
  json="$(cd "$WORK" && go mod download -json "$modver")" \
    || die "cannot download $modver via the module proxy ($(go env GOPROXY)):
$json"
  sed -n "s/^[[:space:]]*\"${field}\": \"\(.*\)\",\{0,1\}\$/\1/p" <<<"$json" | head -n 1
}

# Reads the "Time" field of a proxy .info file.
info_time() { sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$1"; }

go_directive() { sed -n 's/^go \([0-9][0-9.]*\).*/\1/p' "$1" | head -n 1; }

# Writes ${1}/go.mod for the Kubernetes wrapper module and tidies it (creates go.sum).
generate_k8s_module() {
  local dir="$1" gomod staging
  gomod="$(mod_download_field "k8s.io/kubernetes@v${K8S_VERSION}" GoMod)"
  [[ -f "$gomod" ]] || die "no go.mod for k8s.io/kubernetes@v${K8S_VERSION}"
  # Every k8s.io module required at v0.0.0 is a staging module (block or single-line require).
  staging="$(awk '
    /^require[[:space:]]*\(/ { inreq = 1; next }
    inreq && /^\)/ { inreq = 0; next }
    inreq && $2 == "v0.0.0" && $1 ~ /^k8s\.io\// { print $1 }
    /^require[[:space:]]+k8s\.io\// && $3 == "v0.0.0" { print $2 }
  ' "$gomod" | sort -u)"
  [[ -n "$staging" ]] || die "found no staging modules (k8s.io/* v0.0.0) in $gomod"
  {
    echo "// Generated by scripts/k8s-binaries.sh from the go.mod of k8s.io/kubernetes v${K8S_VERSION}."
    echo "// Do not edit; run scripts/k8s-binaries.sh --update-lock instead."
    echo "module k8s-binaries/kubernetes"
    echo
    echo "go $(go_directive "$gomod")"
    echo
    grep '^godebug' "$gomod" || true
    echo
    echo "require k8s.io/kubernetes v${K8S_VERSION}"
    echo
    echo "// Staging modules: kubernetes requires them at v0.0.0 and replaces them with"
    echo "// ./staging/src/...; a dependent must pin the published ${STAGING_VERSION} instead."
    echo "replace ("
    local m
    for m in $staging; do printf '\t%s => %s %s\n' "$m" "$m" "$STAGING_VERSION"; done
    echo ")"
    echo
    echo "tool ("
    for m in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
      printf '\tk8s.io/kubernetes/cmd/%s\n' "$m"
    done
    echo ")"
  } >"$dir/go.mod"
  log "tidying Kubernetes wrapper module ($(wc -l <<<"$staging") staging modules pinned to ${STAGING_VERSION})"
  (cd "$dir" && go mod tidy) || die "go mod tidy failed for the Kubernetes wrapper module"
}

# Writes ${1}/go.mod for the etcd wrapper module and tidies it.
generate_etcd_module() {
  local dir="$1" gomod
  gomod="$(mod_download_field "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" GoMod)"
  [[ -f "$gomod" ]] || die "no go.mod for go.etcd.io/etcd/server/v3@v${ETCD_VERSION}"
  cat >"$dir/go.mod" <<EOF
// Generated by scripts/k8s-binaries.sh. Do not edit; run scripts/k8s-binaries.sh --update-lock instead.
module k8s-binaries/etcd

go $(go_directive "$gomod")

require go.etcd.io/etcd/server/v3 v${ETCD_VERSION}

// go.etcd.io/etcd/server/v3 (the module root) is etcd's main package.
tool go.etcd.io/etcd/server/v3
EOF
  log "tidying etcd wrapper module"
  (cd "$dir" && go mod tidy) || die "go mod tidy failed for the etcd wrapper module"
}

# The committed lock directory of a wrapper module for the selected Kubernetes version:
# scripts/k8s-binaries/<name>/ for the default version, .../<k8s-version>/<name>/ otherwise.
lock_dir() {
  if [[ "$K8S_VERSION" == "$DEFAULT_K8S_VERSION" ]]; then
    echo "$LOCK_ROOT/$1"
  else
    echo "$LOCK_ROOT/$K8S_VERSION/$1"
  fi
}

# prepare_module <name> <module-path-to-match> <version> <generator>
# Uses the committed lock (see lock_dir) if it is for <version>, otherwise generates
# the wrapper module.
prepare_module() {
  local name="$1" mod="$2" version="$3" generator="$4"
  local dir="$WORK/$name" lock
  lock="$(lock_dir "$name")"
  mkdir -p "$dir"
  if ! $UPDATE_LOCK && [[ -f "$lock/go.mod" && -f "$lock/go.sum" ]] \
      && grep -Eq "^(require[[:space:]]+)?[[:space:]]*${mod//./\\.} v${version//./\\.}([[:space:]]|\$)" "$lock/go.mod"; then
    log "using committed wrapper module $lock (${mod} v${version})"
    cp "$lock/go.mod" "$lock/go.sum" "$dir/"
  else
    log "generating wrapper module for ${mod} v${version}"
    "$generator" "$dir"
    if $UPDATE_LOCK; then
      mkdir -p "$lock"
      cp "$dir/go.mod" "$dir/go.sum" "$lock/"
      log "updated lock files in $lock"
    fi
  fi
}

check_go_version() {
  local dir="$1" need have
  need="$(go_directive "$dir/go.mod")"
  have="$(go env GOVERSION)"; have="${have#go}"
  if [[ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n 1)" != "$need" ]]; then
    die "$(basename "$dir") wrapper needs Go >= $need but $(command -v go) is go$have"
  fi
}

START=$(date +%s)
log "building Kubernetes v${K8S_VERSION} + etcd v${ETCD_VERSION} with $(go env GOVERSION) into ${TARGET_DIR}"
log "Go caches: GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE)"

prepare_module kubernetes k8s.io/kubernetes "$K8S_VERSION" generate_k8s_module
prepare_module etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" generate_etcd_module
check_go_version "$WORK/kubernetes"
check_go_version "$WORK/etcd"

# Version stamping as in kubernetes' hack/lib/version.sh. buildDate is the module's
# commit time from the proxy (reproducible); the git commit is not known through
# the proxy, so it is left empty and the tree state is "archive" (non-git build).
K8S_INFO="$(mod_download_field "k8s.io/kubernetes@v${K8S_VERSION}" Info)"
K8S_BUILD_DATE="$(info_time "$K8S_INFO")"
[[ -n "$K8S_BUILD_DATE" ]] || K8S_BUILD_DATE="1970-01-01T00:00:00Z"
k8s_ldflags=()
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  k8s_ldflags+=(
    "-X '${pkg}.gitVersion=v${K8S_VERSION}'"
    "-X '${pkg}.gitMajor=1'"
    "-X '${pkg}.gitMinor=${K8S_MINOR}'"
    "-X '${pkg}.gitCommit='"
    "-X '${pkg}.gitTreeState=archive'"
    "-X '${pkg}.buildDate=${K8S_BUILD_DATE}'"
  )
done

# Same flags as kubernetes' own non-debug static builds (hack/lib/golang.sh).
log "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (this is the slow part)"
(
  cd "$WORK/kubernetes"
  go build -mod=readonly -trimpath -tags=selinux,notest,grpcnotrace \
    -ldflags="all=${k8s_ldflags[*]} -s -w" \
    -o "$STAGE/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl
) || die "building Kubernetes v${K8S_VERSION} failed"
log "Kubernetes binaries built after $(( $(date +%s) - START ))s"

log "building etcd"
(
  cd "$WORK/etcd"
  go build -mod=readonly -trimpath \
    -ldflags="-X 'go.etcd.io/etcd/api/v3/version.GitSHA=v${ETCD_VERSION}-modproxy' -s -w" \
    -o "$STAGE/etcd" \
    go.etcd.io/etcd/server/v3
) || die "building etcd v${ETCD_VERSION} failed"

# Sanity checks before publishing.
for b in "${BINARIES[@]}"; do
  [[ -x "$STAGE/$b" ]] || die "missing $b after build"
done
got="$("$STAGE/kube-apiserver" --version)"
[[ "$got" == "Kubernetes v${K8S_VERSION}" ]] || die "kube-apiserver --version printed '$got', expected 'Kubernetes v${K8S_VERSION}'"
"$STAGE/etcd" --version | grep -q "etcd Version: ${ETCD_VERSION}" || die "etcd --version does not report ${ETCD_VERSION}"

cat >"$STAGE/$STAMP_NAME" <<EOF
${STAMP_CONTENT}
go_version=$(go env GOVERSION)
built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
built_by=scripts/k8s-binaries.sh
EOF
chmod 755 "$STAGE"

# Publish: a single rename (any previous, incomplete or forced, dir is moved aside first).
if [[ -e "$TARGET_DIR" ]]; then
  OLD="${CACHE_ROOT}/.k8s-binaries-old.$$"
  mv "$TARGET_DIR" "$OLD"
  mv "$STAGE" "$TARGET_DIR"
  rm -rf "$OLD"
else
  mv "$STAGE" "$TARGET_DIR"
fi

log "done in $(( $(date +%s) - START ))s: ${TARGET_DIR}"
print_versions "$TARGET_DIR"
