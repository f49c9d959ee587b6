package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** An address range outside the cluster (NetworkPolicies cannot name hosts). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class CidrBlock {

  /** An IPv4 or IPv6 CIDR. */
  public static final String CIDR_PATTERN =
      "^(([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:]+/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$";

  @Required
  @Pattern(CIDR_PATTERN)
  @JsonPropertyDescription("The range, for example 203.0.113.0/24 or 10.20.0.5/32.")
  private String cidr;

  @Size(max = 32)
  @JsonPropertyDescription("Sub-ranges of cidr to leave out (each a CIDR within it).")
  private List<String> except = new ArrayList<>();

  public CidrBlock() {}

  public CidrBlock(String cidr, List<String> except) {
    this.cidr = cidr;
    this.except = new ArrayList<>(except);
  }

  public String getCidr() { return cidr; }
  public void setCidr(String cidr) { this.cidr = cidr; }
  public List<String> getExcept() { return except; }
  public void setExcept(List<String> except) { this.except = except; }
}
