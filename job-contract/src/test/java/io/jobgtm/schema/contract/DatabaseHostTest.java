package io.jobgtm.schema.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseHostTest {

  @Test
  void acceptsHostNamesIpv4AndIpv6Addresses() {
    List<String> hosts =
        List.of(
            "postgres",
            "postgres.db.svc.cluster.local",
            "Db-1.Example.COM",
            "10.0.0.7",
            "127.0.0.1",
            "a".repeat(63) + ".example",
            ("a".repeat(63) + ".").repeat(3) + "a".repeat(61),
            "::1",
            "fd00::1",
            "2001:db8:0:0:1:0:0:1",
            "2001:DB8::8:800:200C:417A",
            "fe80::",
            "::");
    assertThat(hosts).allMatch(DatabaseHost::isValid);
    assertThat(hosts).allSatisfy(host -> assertThat(DatabaseHost.problem(host)).isEmpty());
    assertThat(("a".repeat(63) + ".").repeat(3) + "a".repeat(61)).hasSize(DatabaseHost.MAX_LENGTH);
  }

  @Test
  void refusesWhatWouldChangeTheConnectionUrl() {
    assertThat(
            List.of(
                "evil.example/x?sslmode=disable&sslfactory=foo&",
                "db?sslmode=disable",
                "db/postgres",
                "db:5433",
                "db,evil.example",
                "db#x",
                "db%2f",
                "db@evil.example",
                "db x",
                "db\n",
                "[::1]",
                "fe80::1%eth0",
                "::ffff:10.0.0.1",
                "1:2:3:4:5:6:7:8:9",
                "1::2::3",
                "db.",
                ".db",
                "db..example",
                "-db",
                "db-",
                "a".repeat(64),
                ("a".repeat(63) + ".").repeat(3) + "a".repeat(62),
                "",
                "pöstgres"))
        .noneMatch(DatabaseHost::isValid);
    assertThat(DatabaseHost.isValid(null)).isFalse();
  }

  @Test
  void theProblemNamesTheCharacterWithoutRepeatingTheHost() {
    assertThat(DatabaseHost.problem("evil.example/x?sslmode=disable&sslfactory=foo&"))
        .hasValue("character 13 ('/') cannot appear in a host");
    assertThat(DatabaseHost.problem("db\r\nx"))
        .hasValue("character 3 (U+000D) cannot appear in a host");
    assertThat(DatabaseHost.problem("db:5433"))
        .hasValue("it has a colon but is not an IPv6 address");
    assertThat(DatabaseHost.problem("db.")).hasValue("it ends with a dot");
    assertThat(DatabaseHost.problem("a".repeat(300)))
        .hasValue("it has 300 characters, more than 253");
    assertThat(DatabaseHost.problem("-db"))
        .hasValue("a label is empty, longer than 63 characters, or starts or ends with a hyphen");
    assertThat(DatabaseHost.problem("")).hasValue("it is empty");
  }

  @Test
  void ipv6AgreesWithJavasOwnParser() throws UnknownHostException {
    List<String> candidates =
        List.of(
            "::1",
            "::",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1::8",
            "1:2::7:8",
            "fd00:0:0:0:0:0:0:1",
            "ABCD:ef01::",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            ":1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:",
            "12345::1",
            "g::1",
            ":::");
    for (String candidate : candidates) {
      boolean java;
      try {
        java = InetAddress.getByName("[" + candidate + "]") instanceof Inet6Address;
      } catch (UnknownHostException e) {
        java = false;
      }
      assertThat(DatabaseHost.isIpv6(candidate)).as(candidate).isEqualTo(java);
    }
  }
}
