package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Loomio feature flags. Loomio reads them as presence flags: true sets the variable to 1, false leaves it
 * out (a variable set to 0 still counts as on). Each field names its variable with {@link FeatureFlag}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FeaturesSpec {

  @FeatureFlag("FEATURES_DISABLE_CREATE_USER")
  @JsonPropertyDescription(
      "Invite-only: nobody can sign up without an invitation. (FEATURES_DISABLE_CREATE_USER)")
  private Boolean disableCreateUser;

  @FeatureFlag("FEATURES_DISABLE_CREATE_GROUP")
  @JsonPropertyDescription("Only administrators can create groups. (FEATURES_DISABLE_CREATE_GROUP)")
  private Boolean disableCreateGroup;

  @FeatureFlag("FEATURES_DISABLE_HELP_LINK")
  @JsonPropertyDescription("Hide the link to Loomio's help site. (FEATURES_DISABLE_HELP_LINK)")
  private Boolean disableHelpLink;

  @FeatureFlag("FEATURES_DISABLE_EMAIL_LOGIN")
  @JsonPropertyDescription(
      "No sign-in by e-mailed link or password (SSO only). (FEATURES_DISABLE_EMAIL_LOGIN)")
  private Boolean disableEmailLogin;

  @FeatureFlag("FEATURES_DISABLE_PUBLIC_GROUPS")
  @JsonPropertyDescription(
      "No public groups (older name of hiding /explore). (FEATURES_DISABLE_PUBLIC_GROUPS)")
  private Boolean disablePublicGroups;

  @FeatureFlag("FEATURES_DISABLE_EXAMPLE_CONTENT")
  @JsonPropertyDescription(
      "New groups start without example threads and polls. (FEATURES_DISABLE_EXAMPLE_CONTENT)")
  private Boolean disableExampleContent;

  @FeatureFlag("FEATURES_DISABLE_THREAD_FROM_MAIL")
  @JsonPropertyDescription(
      "Do not start threads from inbound e-mail. (FEATURES_DISABLE_THREAD_FROM_MAIL)")
  private Boolean disableThreadFromMail;

  @FeatureFlag("FEATURES_DISABLE_SCRUB_ANONYMOUS_STANCES")
  @JsonPropertyDescription(
      "Keep who voted in anonymous polls after closing (privacy cost). (FEATURES_DISABLE_SCRUB_ANONYMOUS_STANCES)")
  private Boolean disableScrubAnonymousStances;

  @FeatureFlag("FEATURES_DEMO_GROUPS")
  @JsonPropertyDescription(
      "Offer demo groups (size via spec.env FEATURES_DEMO_GROUPS_SIZE). (FEATURES_DEMO_GROUPS)")
  private Boolean demoGroups;

  @FeatureFlag("FEATURES_EXPLORE_PUBLIC_GROUPS")
  @JsonPropertyDescription(
      "Show the public group directory (/explore). (FEATURES_EXPLORE_PUBLIC_GROUPS)")
  private Boolean explorePublicGroups;

  @FeatureFlag("FEATURES_TEMPLATE_GALLERY")
  @JsonPropertyDescription("Show the template gallery. (FEATURES_TEMPLATE_GALLERY)")
  private Boolean templateGallery;

  @FeatureFlag("FEATURES_NEW_THREAD_BUTTON")
  @JsonPropertyDescription("Show the new-thread button. (FEATURES_NEW_THREAD_BUTTON)")
  private Boolean newThreadButton;

  @FeatureFlag("FEATURES_SHOW_CONTACT")
  @JsonPropertyDescription("Show the contact form. (FEATURES_SHOW_CONTACT)")
  private Boolean showContact;

  @FeatureFlag("FEATURES_SHOW_CONTACT_CONSENT")
  @JsonPropertyDescription("Ask for consent on the contact form. (FEATURES_SHOW_CONTACT_CONSENT)")
  private Boolean showContactConsent;

  @FeatureFlag("FEATURES_TRIALS")
  @JsonPropertyDescription("Enable trial subscriptions (hosted-service feature). (FEATURES_TRIALS)")
  private Boolean trials;

  @FeatureFlag("FEATURES_GRAY_SIDEBAR_LOGO_IN_DARK_MODE")
  @JsonPropertyDescription(
      "Gray sidebar logo in dark mode. (FEATURES_GRAY_SIDEBAR_LOGO_IN_DARK_MODE)")
  private Boolean graySidebarLogoInDarkMode;

  @FeatureFlag("LOOMIO_RESTRICT_EXPLORE_TO_SIGNED_IN_USERS")
  @JsonPropertyDescription(
      "Only signed-in users may explore public groups. (LOOMIO_RESTRICT_EXPLORE_TO_SIGNED_IN_USERS)")
  private Boolean restrictExploreToSignedInUsers;

  @FeatureFlag("LOOMIO_VERIFY_PARTICIPANTS_ADMIN_ONLY")
  @JsonPropertyDescription(
      "Only admins may verify participants. (LOOMIO_VERIFY_PARTICIPANTS_ADMIN_ONLY)")
  private Boolean verifyParticipantsAdminOnly;

  @FeatureFlag("LOOMIO_SSO_FORCE_USER_ATTRS")
  @JsonPropertyDescription(
      "Overwrite user name and e-mail from the SSO provider at every sign-in. (LOOMIO_SSO_FORCE_USER_ATTRS)")
  private Boolean ssoForceUserAttrs;

  @FeatureFlag("ALLOW_ROBOTS")
  @JsonPropertyDescription("Let search engines index the site. (ALLOW_ROBOTS)")
  private Boolean allowRobots;

  public Boolean getDisableCreateUser() {
    return disableCreateUser;
  }

  public void setDisableCreateUser(Boolean disableCreateUser) {
    this.disableCreateUser = disableCreateUser;
  }

  public Boolean getDisableCreateGroup() {
    return disableCreateGroup;
  }

  public void setDisableCreateGroup(Boolean disableCreateGroup) {
    this.disableCreateGroup = disableCreateGroup;
  }

  public Boolean getDisableHelpLink() {
    return disableHelpLink;
  }

  public void setDisableHelpLink(Boolean disableHelpLink) {
    this.disableHelpLink = disableHelpLink;
  }

  public Boolean getDisableEmailLogin() {
    return disableEmailLogin;
  }

  public void setDisableEmailLogin(Boolean disableEmailLogin) {
    this.disableEmailLogin = disableEmailLogin;
  }

  public Boolean getDisablePublicGroups() {
    return disablePublicGroups;
  }

  public void setDisablePublicGroups(Boolean disablePublicGroups) {
    this.disablePublicGroups = disablePublicGroups;
  }

  public Boolean getDisableExampleContent() {
    return disableExampleContent;
  }

  public void setDisableExampleContent(Boolean disableExampleContent) {
    this.disableExampleContent = disableExampleContent;
  }

  public Boolean getDisableThreadFromMail() {
    return disableThreadFromMail;
  }

  public void setDisableThreadFromMail(Boolean disableThreadFromMail) {
    this.disableThreadFromMail = disableThreadFromMail;
  }

  public Boolean getDisableScrubAnonymousStances() {
    return disableScrubAnonymousStances;
  }

  public void setDisableScrubAnonymousStances(Boolean disableScrubAnonymousStances) {
    this.disableScrubAnonymousStances = disableScrubAnonymousStances;
  }

  public Boolean getDemoGroups() {
    return demoGroups;
  }

  public void setDemoGroups(Boolean demoGroups) {
    this.demoGroups = demoGroups;
  }

  public Boolean getExplorePublicGroups() {
    return explorePublicGroups;
  }

  public void setExplorePublicGroups(Boolean explorePublicGroups) {
    this.explorePublicGroups = explorePublicGroups;
  }

  public Boolean getTemplateGallery() {
    return templateGallery;
  }

  public void setTemplateGallery(Boolean templateGallery) {
    this.templateGallery = templateGallery;
  }

  public Boolean getNewThreadButton() {
    return newThreadButton;
  }

  public void setNewThreadButton(Boolean newThreadButton) {
    this.newThreadButton = newThreadButton;
  }

  public Boolean getShowContact() {
    return showContact;
  }

  public void setShowContact(Boolean showContact) {
    this.showContact = showContact;
  }

  public Boolean getShowContactConsent() {
    return showContactConsent;
  }

  public void setShowContactConsent(Boolean showContactConsent) {
    this.showContactConsent = showContactConsent;
  }

  public Boolean getTrials() {
    return trials;
  }

  public void setTrials(Boolean trials) {
    this.trials = trials;
  }

  public Boolean getGraySidebarLogoInDarkMode() {
    return graySidebarLogoInDarkMode;
  }

  public void setGraySidebarLogoInDarkMode(Boolean graySidebarLogoInDarkMode) {
    this.graySidebarLogoInDarkMode = graySidebarLogoInDarkMode;
  }

  public Boolean getRestrictExploreToSignedInUsers() {
    return restrictExploreToSignedInUsers;
  }

  public void setRestrictExploreToSignedInUsers(Boolean restrictExploreToSignedInUsers) {
    this.restrictExploreToSignedInUsers = restrictExploreToSignedInUsers;
  }

  public Boolean getVerifyParticipantsAdminOnly() {
    return verifyParticipantsAdminOnly;
  }

  public void setVerifyParticipantsAdminOnly(Boolean verifyParticipantsAdminOnly) {
    this.verifyParticipantsAdminOnly = verifyParticipantsAdminOnly;
  }

  public Boolean getSsoForceUserAttrs() {
    return ssoForceUserAttrs;
  }

  public void setSsoForceUserAttrs(Boolean ssoForceUserAttrs) {
    this.ssoForceUserAttrs = ssoForceUserAttrs;
  }

  public Boolean getAllowRobots() {
    return allowRobots;
  }

  public void setAllowRobots(Boolean allowRobots) {
    this.allowRobots = allowRobots;
  }
}
