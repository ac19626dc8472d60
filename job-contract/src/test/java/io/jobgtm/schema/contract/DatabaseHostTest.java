package io.jobgtm.schema.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;
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
  void aNameThatReadsAsANumberMustBeAnIpv4AddressInDottedDecimal() {
    // Java reads 010.0.0.1 as 10.0.0.1, the C library (psql, most tools) as 8.0.0.1; 127.1 and
    // 2130706433 are 127.0.0.1 to both. Only the form that every parser reads alike is a host.
    assertThat(List.of("010.0.0.1", "0177.0.0.1", "127.000.000.001", "10.0.0.01"))
        .noneMatch(DatabaseHost::isValid);
    assertThat(List.of("127.1", "10.1.2", "2130706433", "0x7f.1", "0x7F000001", "0x", "256.0.0.1"))
        .noneMatch(DatabaseHost::isValid);
    assertThat(List.of("1.2.3.4.5", "db.123", "db.0xff")).noneMatch(DatabaseHost::isValid);
    assertThat(DatabaseHost.problem("010.0.0.1"))
        .hasValue(
            "its last label is a number, so it must be an IPv4 address in dotted decimal: four"
                + " numbers from 0 to 255 without leading zeros");

    assertThat(
            List.of(
                "0.0.0.0",
                "10.0.0.7",
                "255.255.255.255",
                "192.168.100.200",
                "db.1team",
                "postgres.1team.svc",
                "0x.example",
                "db.0xyz",
                "1-2.example",
                "123.example",
                "db.a1"))
        .allMatch(DatabaseHost::isValid);
  }

  @Test
  void theNumericRuleAndTheAddressPatternAgreeWithTheCLibrary() {
    // What the C library's inet_aton accepts is what getaddrinfo reads as an address.
    assertThat(Pattern.compile(DatabaseHost.NUMERIC_LAST_LABEL_REGEX).matcher("a.010").find())
        .isTrue();
    assertThat(Pattern.compile(DatabaseHost.NUMERIC_LAST_LABEL_REGEX).matcher("a.b10").find())
        .isFalse();
    assertThat(Pattern.compile("^" + DatabaseHost.IPV4_REGEX + "$").matcher("10.0.0.7").matches())
        .isTrue();
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
