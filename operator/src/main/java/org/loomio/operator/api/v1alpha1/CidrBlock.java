package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * An address range outside the cluster (NetworkPolicies cannot name hosts). It may not reach a cloud metadata
 * address ({@link Cidrs#METADATA}): a cidr that contains one needs an except entry that leaves it out.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(value = Cidrs.CEL_NO_BARE_METADATA, message = Cidrs.REACHES_METADATA)
public class CidrBlock {

  /** An IPv4 CIDR in dotted decimal (octets 0-255 without leading zeros) or an IPv6 CIDR. */
  public static final String CIDR_PATTERN = "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
      + "([.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}/([0-9]|[12][0-9]|3[0-2])"
      + "|[0-9a-fA-F:]+/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$";
  /** The longest CIDR text: eight groups of four hex digits, seven colons, /128. */
  public static final int MAX_LENGTH = 43;

  @Required
  @Pattern(CIDR_PATTERN)
  @Size(max = MAX_LENGTH)
  @JsonPropertyDescription(
      "The range, for example 203.0.113.0/24 or 10.20.0.5/32. It may not contain a cloud"
          + " metadata address (169.254.169.254, 100.100.100.200, fd00:ec2::254) unless except leaves it out.")
  private String cidr;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Sub-ranges of cidr to leave out, each a CIDR strictly within it (the API server"
          + " refuses any other), for example [169.254.0.0/16] under 0.0.0.0/0.")
  private List<String> except = new ArrayList<>();

  public CidrBlock() {}

  public CidrBlock(String cidr, List<String> except) {
    this.cidr = cidr;
    this.except = new ArrayList<>(except);
  }

  public String getCidr() {
    return cidr;
  }

  public void setCidr(String cidr) {
    this.cidr = cidr;
  }

  public List<String> getExcept() {
    return except;
  }

  public void setExcept(List<String> except) {
    this.except = except;
  }
}
