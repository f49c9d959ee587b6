package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.ExternalDatabaseSpec;
import org.loomio.operator.api.v1alpha1.ServerHosts;

class ServerHostsTest {

  @Test
  void theLoopbackLinkLocalAndMetadataAddressesAreRefused() {
    for (String host : List.of(
        "127.0.0.1",
        "127.1.2.3",
        "0.0.0.0",
        "169.254.169.254",
        "169.254.170.2",
        "169.254.0.1",
        "100.100.100.200",
        "::1",
        "::",
        "fe80::1",
        "FE80::abcd",
        "febf::1",
        "fd00:ec2::254",
        "::ffff:169.254.169.254",
        "::ffff:127.0.0.1")) {
      assertThat(ServerHosts.problem(host)).as(host).contains(ServerHosts.NOT_LOCAL);
    }
  }

  @Test
  void theLoopbackAndMetadataNamesAreRefused() {
    assertThat(ServerHosts.LOCAL_NAMES)
        .contains("localhost", "metadata.google.internal", "metadata", "instance-data")
        .hasSize(7);
    for (String host : List.of(
        "localhost",
        "metadata.google.internal",
        "metadata.goog",
        "metadata",
        "instance-data.ec2.internal",
        "db.localhost",
        "LocalHost")) {
      assertThat(ServerHosts.problem(host)).as(host).contains(ServerHosts.NOT_LOCAL);
    }
  }

  @Test
  void aNumberThatLibcReadsAsAnAddressIsRefused() {
    for (String host : List.of(
        "2852039166",
        "0xa9fea9fe",
        "169.254.43518",
        "169.16689662",
        "127.1",
        "999.1.1.1",
        "010.0.0.1",
        "10.0.0.01",
        "db.example.0x1")) {
      assertThat(ServerHosts.problem(host)).as(host).contains(ServerHosts.NUMERIC_IS_IPV4);
    }
  }

  @Test
  void ordinaryServersPass() {
    for (String host : List.of(
        "pg.example.org",
        "10.0.0.5",
        "192.168.1.10",
        "100.100.100.201",
        "169.253.1.1",
        "172.16.0.1",
        "127.example.org",
        "169.254.example.org",
        "localhost.example.org",
        "metadata.example.org",
        "pg-1.db.svc.cluster.local",
        "fd00::5",
        "2001:db8::1",
        "0.example.org")) {
      assertThat(ServerHosts.problem(host)).as(host).isEmpty();
    }
  }

  @Test
  void theCelRulesAreBuiltFromTheSameExpressionsAndNames() {
    assertThat(ServerHosts.CEL_NOT_LOCAL)
        .contains(ServerHosts.IPV4)
        .contains("'metadata.google.internal'")
        .contains("endsWith('.localhost')");
    for (String name : ServerHosts.LOCAL_NAMES) {
      assertThat(ServerHosts.CEL_NOT_LOCAL).contains("'" + name + "'");
    }
    assertThat(ServerHosts.CEL_NUMERIC_IS_IPV4).contains(ServerHosts.IPV4);
    // CEL string literals: a backslash would need escaping twice; the expressions use none
    assertThat(ServerHosts.CEL_NOT_LOCAL + ServerHosts.CEL_NUMERIC_IS_IPV4).doesNotContain("\\");
  }

  @Test
  void everyRefusedIpv4AddressMatchesTheSchemaPatternSoOnlyTheRuleRefusesIt() {
    for (String host : List.of("127.0.0.1", "169.254.169.254", "100.100.100.200", "2852039166")) {
      assertThat(host).matches(ExternalDatabaseSpec.HOST_PATTERN);
    }
  }
}
