package org.loomio.operator.api.v1alpha1;

import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Environment variable names the operator owns, the names a tenant may never set, and the pattern of names
 * that look secret.
 *
 * <p>The lists are written once, as CEL literals, because the CRD's validation rules need them as
 * compile-time constants; {@link #OWNED}, {@link #DENIED} and {@link #SECRET_LOOKING} are derived from the same
 * text, so the admission check and the operator's own check can never disagree.
 */
public final class EnvNames {

  /**
   * Every variable the operator sets itself, or deliberately keeps for itself (REDIS_QUEUE_URL, which Action
   * Cable reads before REDIS_URL; Thruster's THRUSTER_-prefixed names, which it reads before the plain ones), as
   * a CEL list body.
   */
  public static final String OWNED_CEL_LIST =
      "'RAILS_ENV','TASK','HOME','CANONICAL_HOST','SITE_NAME','SUPPORT_EMAIL','FILE_UPLOAD_MAX_MB',"
          + "'PUBLIC_APP_URL','PRIVATE_APP_URL','APP_URL','HOCUSPOCUS_URL','ASSUME_SSL','FORCE_SSL',"
          + "'DATABASE_URL','PGPASSWORD','PGHOST','PGPORT','PGUSER','PGDATABASE','PGSSLMODE','PGSSLROOTCERT',"
          + "'REDIS_URL','REDIS_CACHE_URL','REDIS_QUEUE_URL','REDIS_PASSWORD','REPLY_HOSTNAME',"
          + "'LOOMIO_SYSTEM_RELOAD','BOOTSNAP_READONLY',"
          + "'SMTP_SERVER','SMTP_PORT','SMTP_USE_SSL','SMTP_SSL_VERIFY_MODE','SMTP_USERNAME','SMTP_PASSWORD',"
          + "'SMTP_AUTH','SMTP_DOMAIN','NOTIFICATIONS_EMAIL_ADDRESS',"
          + "'ACTIVE_STORAGE_SERVICE','STORAGE_ENDPOINT','STORAGE_BUCKET_NAME','STORAGE_REGION',"
          + "'STORAGE_FORCE_PATH_STYLE','STORAGE_ACCESS_KEY_ID','STORAGE_SECRET_ACCESS_KEY','AWS_CA_BUNDLE',"
          + "'AWS_BUCKET','AWS_ACCESS_KEY_ID','AWS_SECRET_ACCESS_KEY','AWS_REGION',"
          + "'HTTP_PORT','TARGET_PORT','PORT','MAX_REQUEST_BODY','HTTP_READ_TIMEOUT','HTTP_WRITE_TIMEOUT',"
          + "'THRUSTER_HTTP_PORT','THRUSTER_TARGET_PORT','THRUSTER_MAX_REQUEST_BODY','THRUSTER_HTTP_READ_TIMEOUT',"
          + "'THRUSTER_HTTP_WRITE_TIMEOUT','WEB_CONCURRENCY','PUMA_WORKERS','JOB_CONCURRENCY',"
          + "'SECRET_KEY_BASE','SECRET_COOKIE_TOKEN','DEVISE_SECRET','RAILS_INBOUND_EMAIL_PASSWORD',"
          + "'VAPID_PUBLIC_KEY','VAPID_PRIVATE_KEY','VAPID_SUBJECT',"
          + "'POSTGRES_PASSWORD','POSTGRES_USER','POSTGRES_DB',"
          + "'FEATURES_DISABLE_CREATE_USER','FEATURES_DISABLE_CREATE_GROUP','FEATURES_DISABLE_HELP_LINK',"
          + "'FEATURES_DISABLE_EMAIL_LOGIN','FEATURES_DISABLE_PUBLIC_GROUPS','FEATURES_DISABLE_EXAMPLE_CONTENT',"
          + "'FEATURES_DISABLE_THREAD_FROM_MAIL','FEATURES_DISABLE_SCRUB_ANONYMOUS_STANCES','FEATURES_DEMO_GROUPS',"
          + "'FEATURES_EXPLORE_PUBLIC_GROUPS','FEATURES_TEMPLATE_GALLERY','FEATURES_NEW_THREAD_BUTTON',"
          + "'FEATURES_SHOW_CONTACT','FEATURES_SHOW_CONTACT_CONSENT','FEATURES_TRIALS',"
          + "'FEATURES_GRAY_SIDEBAR_LOGO_IN_DARK_MODE','LOOMIO_RESTRICT_EXPLORE_TO_SIGNED_IN_USERS',"
          + "'LOOMIO_VERIFY_PARTICIPANTS_ADMIN_ONLY','LOOMIO_SSO_FORCE_USER_ATTRS','ALLOW_ROBOTS'";

  /**
   * Names that look like they hold a secret (hardening rule R22, from Polaris and kube-linter). Such a
   * value belongs in {@code spec.secretEnv}, never in a plain {@code spec.env} entry or a ConfigMap.
   * RE2 syntax, so CEL's {@code matches()} and {@link java.util.regex.Pattern} read it the same way.
   */
  public static final String SECRET_LOOKING_REGEX =
      "(?i)(password|passwd|secret|token|bearer|credential|api[_-]?key|private[_-]?key|_key$)";

  /**
   * Names (and prefixes, as {@code NAME_.*}) that would let whoever writes the spec run code in, or intercept the
   * traffic of, the stack's pods, compared case-insensitively (proxies read {@code http_proxy} as well): the
   * dynamic linker ({@code LD_*}, {@code GCONV_PATH}), Bundler and RubyGems ({@code BUNDLE_*}, {@code BUNDLER_*},
   * {@code GEM_*}, {@code GEMRC}), Ruby ({@code RUBY*}), Node ({@code NODE_*}), other interpreters the image may
   * start ({@code PYTHON*}, {@code PERL5*}, {@code PERLLIB}, {@code JAVA_TOOL_OPTIONS}, {@code _JAVA_OPTIONS},
   * {@code JDK_JAVA_OPTIONS}), shells ({@code BASH_ENV}, {@code ENV}, {@code BASH_FUNC_*}, {@code SHELLOPTS},
   * {@code BASHOPTS}, {@code PS4}, {@code IFS}), proxies ({@code HTTP_PROXY}, {@code HTTPS_PROXY},
   * {@code FTP_PROXY}, {@code ALL_PROXY}, {@code NO_PROXY}), trust and TLS ({@code SSL_CERT_*},
   * {@code SSLKEYLOGFILE}, {@code OPENSSL_*}, {@code CURL_CA_BUNDLE}, {@code REQUESTS_CA_BUNDLE}), name resolution
   * ({@code HOSTALIASES}, {@code LOCALDOMAIN}, {@code RES_OPTIONS}, {@code RESOLV_*}), the allocator
   * ({@code MALLOC_*}), {@code PATH}, {@code HOME}, Rails' {@code SECRET_KEY_BASE*} (a dummy key base), libpq
   * ({@code PG*}: {@code PGHOSTADDR} would send the database password to another server, {@code PGOPTIONS} reach
   * a superuser session), and Thruster, web's HTTP proxy ({@code THRUSTER_*} and the plain names it reads second:
   * {@code BAD_GATEWAY_PAGE} would serve any file, {@code /proc/self/environ} with every credential included, as
   * its error page; {@code TLS_DOMAIN}, {@code ACME_DIRECTORY}, {@code EAB_*}, {@code STORAGE_PATH},
   * {@code HTTPS_PORT}, {@code HTTP_IDLE_TIMEOUT}, {@code CACHE_SIZE}, {@code MAX_CACHE_ITEM_SIZE},
   * {@code X_SENDFILE_ENABLED}, {@code GZIP_COMPRESSION_ENABLED}, {@code H2C_ENABLED}, {@code FORWARD_HEADERS},
   * {@code LOG_REQUESTS}, {@code DEBUG}; basecamp/thruster {@code internal/config.go}).
   * RE2 syntax without backslashes, read the same by CEL's {@code matches()} and {@link java.util.regex.Pattern}.
   */
  public static final String DENIED_REGEX =
      "(?i)^(LD_.*|GCONV_PATH|BUNDLE_.*|BUNDLER_.*|GEM_.*|GEMRC|RUBY.*|NODE_.*"
          + "|PYTHON.*|PERL5.*|PERLLIB|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS"
          + "|BASH_ENV|ENV|BASH_FUNC_.*|SHELLOPTS|BASHOPTS|PS4|IFS"
          + "|(HTTP|HTTPS|FTP|ALL|NO)_PROXY|SSL_CERT_.*|SSLKEYLOGFILE|OPENSSL_.*|CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE"
          + "|HOSTALIASES|LOCALDOMAIN|RES_OPTIONS|RESOLV_.*|MALLOC_.*|PATH|HOME|SECRET_KEY_BASE.*|PG.*"
          + "|THRUSTER_.*|BAD_GATEWAY_PAGE|TLS_DOMAIN|ACME_DIRECTORY|EAB_.*|STORAGE_PATH|HTTPS_PORT|HTTP_IDLE_TIMEOUT"
          + "|CACHE_SIZE|MAX_CACHE_ITEM_SIZE|X_SENDFILE_ENABLED|GZIP_COMPRESSION_ENABLED|H2C_ENABLED|FORWARD_HEADERS"
          + "|LOG_REQUESTS|DEBUG)$";

  /** Why a {@link #DENIED} name is refused; the CRD's message and the operator's say the same. */
  public static final String DENIED_MESSAGE =
      "loads code or reaches the network on the pods' behalf, or configures"
          + " web's HTTP proxy (LD_*, BUNDLE_*, GEM_*, RUBY*, NODE_*, PYTHON*, PERL5*, PG*, THRUSTER_* and Thruster's"
          + " settings, *_PROXY, SSL_CERT_*, MALLOC_*, PATH, HOME, ...: docs/api.md, 'Extra settings'); refused in any"
          + " letter case";

  /** CEL: no entry of the list {@code self} has a denied name. */
  public static final String CEL_NOT_DENIED =
      "self.all(e, !e.name.matches('" + DENIED_REGEX + "'))";

  /** The refusal of an owned name (CEL and SpecValidator, word for word). */
  public static final String OWNED_MESSAGE =
      "is set by the operator; use the dedicated field (docs/api.md, 'Owned"
          + " environment variables')";
  /** The refusal of a secret-looking name in spec.env (CEL and SpecValidator, word for word). */
  public static final String SECRET_LOOKING_MESSAGE =
      "looks like it holds a secret; put it in spec.secretEnv with a" + " secretKeyRef";

  /** CEL: no entry of the list {@code self} uses an owned name. */
  public static final String CEL_NOT_OWNED = "self.all(e, !(e.name in [" + OWNED_CEL_LIST + "]))";

  /** CEL: no entry of the list {@code self} has a secret-looking name. */
  public static final String CEL_NOT_SECRET_LOOKING =
      "self.all(e, !e.name.matches('" + SECRET_LOOKING_REGEX + "'))";

  public static final Set<String> OWNED = Arrays.stream(OWNED_CEL_LIST.split(","))
      .map(s -> s.trim().replace("'", ""))
      .collect(Collectors.toUnmodifiableSet());

  public static final Pattern SECRET_LOOKING = Pattern.compile(SECRET_LOOKING_REGEX);

  public static final Pattern DENIED = Pattern.compile(DENIED_REGEX);

  private EnvNames() {}

  public static boolean isOwned(String name) {
    return OWNED.contains(name);
  }

  /** Whether a tenant may never set this name, in any letter case ({@link #DENIED_REGEX}). */
  public static boolean isDenied(String name) {
    return DENIED.matcher(name).matches();
  }

  public static boolean looksSecret(String name) {
    return SECRET_LOOKING.matcher(name).find();
  }
}
