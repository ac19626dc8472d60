package io.jobgtm.schema.systemtests.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The Docker build context of the repository: every file that {@code .dockerignore} lets through,
 * copied as {@code docker build} would send it. Supports the patterns the repository uses
 * (comments, globs, a leading {@code **}{@code /}); an exception pattern ({@code !}) is refused
 * rather than misread.
 */
final class DockerContext {

  private final List<PathMatcher> excluded = new ArrayList<>();

  private DockerContext(List<String> patterns) {
    for (String line : patterns) {
      String pattern = line.strip();
      if (pattern.isEmpty() || pattern.startsWith("#")) {
        continue;
      }
      if (pattern.startsWith("!")) {
        throw new IllegalArgumentException(".dockerignore exception patterns are not supported");
      }
      pattern = pattern.replaceAll("^/+|/+$", "");
      excluded.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
      if (pattern.startsWith("**/")) {
        // Docker's ** also matches no directory at all.
        excluded.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern.substring(3)));
      }
    }
  }

  /** The context of the repository at {@code root}, as its .dockerignore defines it. */
  static DockerContext of(Path root) {
    try {
      return new DockerContext(Files.readAllLines(root.resolve(".dockerignore")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean excludes(Path relative) {
    return excluded.stream().anyMatch(matcher -> matcher.matches(relative));
  }

  /** Copies the context of {@code root} into {@code destination}, keeping file modes. */
  void copy(Path root, Path destination) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
                throws IOException {
              Path relative = root.relativize(dir);
              if (!relative.toString().isEmpty() && excludes(relative)) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              Files.createDirectories(destination.resolve(relative.toString()));
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                throws IOException {
              Path relative = root.relativize(file);
              if (!excludes(relative) && attributes.isRegularFile()) {
                Files.copy(
                    file,
                    destination.resolve(relative.toString()),
                    StandardCopyOption.COPY_ATTRIBUTES,
                    LinkOption.NOFOLLOW_LINKS);
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
