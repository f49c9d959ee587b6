package org.loomio.operator.status;

/** Reasons of MailDelivery: whether Loomio sends mail at all. */
public enum MailDeliveryReason implements ConditionReason {
  SMTP_CONFIGURED("SMTPConfigured"),
  SMTP_NOT_CONFIGURED("SMTPNotConfigured");

  private final String value;

  MailDeliveryReason(String value) {
    this.value = value;
  }

  @Override
  public String type() {
    return Conditions.MAIL_DELIVERY;
  }

  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
