package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * Which complete backups survive pruning: the newest keepLast, plus the newest of each of the last
 * daily days, weekly ISO weeks and monthly months (UTC) that have one. Never "keep forever".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupRetentionSpec {

  @Default("7")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Keep the newest N complete backups. Default 7.")
  private Integer keepLast = 7;

  @Default("7")
  @Min(0)
  @Max(1000)
  @JsonPropertyDescription("Also keep the newest backup of each of the last N days. Default 7.")
  private Integer daily = 7;

  @Default("4")
  @Min(0)
  @Max(520)
  @JsonPropertyDescription("Also keep the newest backup of each of the last N weeks. Default 4.")
  private Integer weekly = 4;

  @Default("6")
  @Min(0)
  @Max(240)
  @JsonPropertyDescription("Also keep the newest backup of each of the last N months. Default 6.")
  private Integer monthly = 6;

  public Integer getKeepLast() {
    return keepLast;
  }

  public void setKeepLast(Integer keepLast) {
    this.keepLast = keepLast;
  }

  public Integer getDaily() {
    return daily;
  }

  public void setDaily(Integer daily) {
    this.daily = daily;
  }

  public Integer getWeekly() {
    return weekly;
  }

  public void setWeekly(Integer weekly) {
    this.weekly = weekly;
  }

  public Integer getMonthly() {
    return monthly;
  }

  public void setMonthly(Integer monthly) {
    this.monthly = monthly;
  }
}
