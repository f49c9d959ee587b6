package org.loomio.operator.status;

/**
 * A condition's reason: the condition type it belongs to, and its word (CamelCase) as the status, the events
 * and the metrics write it. Each condition type has one enum of them ({@link ReadyReason}, {@link
 * DegradedReason}, ...), so a reason names its condition and a new one is declared in one place.
 */
public interface ConditionReason {

  /** The condition type ({@link Conditions#READY}, ...). */
  String type();

  /** The reason as written in status.conditions[].reason, in events and in metrics. */
  String value();
}
