package org.loomio.operator.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Pattern;

/**
 * {@code <backup>/manifest.json}: what a backup holds, how it is encrypted and the SHA-256 of every
 * encrypted object. It is written last, after every object was uploaded and verified, so a backup is
 * complete exactly when its manifest exists; a restore checks each object against it before decrypting.
 * It holds no secret: names, sizes, checksums and public-key fingerprints only.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "formatVersion",
  "backup",
  "stack",
  "createdAt",
  "loomioImage",
  "postgresVersion",
  "uploadsLocation",
  "notes",
  "encryption",
  "objects",
  "database"
})
public record Manifest(
    int formatVersion,
    String backup,
    String stack,
    String createdAt,
    String loomioImage,
    Integer postgresVersion,
    String uploadsLocation,
    String notes,
    Encryption encryption,
    List<Entry> objects,
    DatabaseFacts database) {

  /** A manifest without database facts (written before restore drills, or by tests that need none). */
  public Manifest(
      int formatVersion,
      String backup,
      String stack,
      String createdAt,
      String loomioImage,
      Integer postgresVersion,
      String uploadsLocation,
      String notes,
      Encryption encryption,
      List<Entry> objects) {
    this(
        formatVersion,
        backup,
        stack,
        createdAt,
        loomioImage,
        postgresVersion,
        uploadsLocation,
        notes,
        encryption,
        objects,
        null);
  }

  /** Largest number of tables whose rows a manifest records. */
  public static final int MAX_COUNTED_TABLES = 64;

  private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern MIGRATION_VERSION = Pattern.compile("[0-9]{1,20}");

  /**
   * What the database held when it was dumped, read in the same snapshot as the dump ({@code pg_export_snapshot()}
   * then {@code pg_dump --snapshot}): what a restore drill checks the restored database against. Absent in
   * manifests from before restore drills.
   *
   * @param serverMajor the PostgreSQL server's major version
   * @param migrationVersion the highest {@code schema_migrations.version}, or null without that table
   * @param rowCounts rows of each of Loomio's main tables that exist ({@code DatabaseFacts#MAIN_TABLES})
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"serverMajor", "migrationVersion", "rowCounts"})
  public record DatabaseFacts(
      Integer serverMajor, String migrationVersion, SortedMap<String, Long> rowCounts) {

    void validate() throws IOException {
      require(
          serverMajor == null || (serverMajor >= 9 && serverMajor <= 99),
          "database.serverMajor out of range");
      require(
          migrationVersion == null
              || MIGRATION_VERSION.matcher(migrationVersion).matches(),
          "database.migrationVersion is not a migration version");
      require(rowCounts != null, "database.rowCounts missing");
      require(
          rowCounts.size() <= MAX_COUNTED_TABLES,
          "database.rowCounts lists more than " + MAX_COUNTED_TABLES + " tables");
      for (Map.Entry<String, Long> e : rowCounts.entrySet()) {
        require(
            e.getKey() != null && TABLE_NAME.matcher(e.getKey()).matches(),
            "database.rowCounts has a table name" + " that is not one");
        require(
            e.getValue() != null && e.getValue() >= 0,
            "database.rowCounts." + e.getKey() + " is negative");
      }
    }
  }

  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "manifest.json";
  /** The manifest's detached OpenPGP signature by the stack's signing key (armored). */
  public static final String SIGNATURE_FILE = "manifest.json.sig";
  /** Largest manifest read (ours are a few KiB): a larger one is refused, never read into memory. */
  public static final int MAX_BYTES = 1 << 20;
  /** Largest signature read (ours are a few hundred bytes). */
  public static final int MAX_SIGNATURE_BYTES = 16 << 10;
  /**
   * Largest credentials object, decrypted: a Secret of application keys is a few KiB; the operator decrypts
   * it in its own memory, so a backup never writes, and a restore never decrypts, more than this.
   */
  public static final int MAX_SECRETS_BYTES = 64 << 10;

  public static final String MODE_PUBLIC_KEY = "publicKey";
  public static final String MODE_PASSPHRASE = "passphrase";

  public static final String KIND_DATABASE = "database";
  public static final String KIND_UPLOADS = "uploads";
  public static final String KIND_SECRETS = "secrets";

  /** The object name of each kind: the only object names a backup has. */
  public static final Map<String, String> OBJECT_NAMES = Map.of(
      KIND_DATABASE, "database.dump.pgp",
      KIND_UPLOADS, "uploads.tar.pgp",
      KIND_SECRETS, "secrets.json.pgp");

  public static final String UPLOADS_VOLUME = "volume";
  public static final String UPLOADS_S3 = "s3";
  public static final String UPLOADS_NONE = "none";
  public static final Set<String> UPLOADS_LOCATIONS =
      Set.of(UPLOADS_VOLUME, UPLOADS_S3, UPLOADS_NONE);

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(
          DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
          false) // a newer minor writer may add fields
      .configure(SerializationFeature.INDENT_OUTPUT, true);

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Encryption(String mode, List<String> recipients) {}

  /** One encrypted object: {@code bytes} and {@code sha256} are of the ciphertext as stored. */
  @JsonPropertyOrder({"name", "kind", "plaintextBytes", "bytes", "sha256"})
  public record Entry(String name, String kind, long plaintextBytes, long bytes, String sha256) {}

  /** What the manifest says about where the uploads are, for people reading it. */
  public static String notesFor(String uploadsLocation) {
    return switch (uploadsLocation) {
      case UPLOADS_S3 ->
        "Uploads are stored in the stack's own S3 bucket and are NOT in this backup;"
            + " back up that bucket separately (e.g. with versioning or replication).";
      case UPLOADS_NONE -> "This backup holds no uploads.";
      default -> null;
    };
  }

  public Optional<Entry> object(String kind) {
    return objects.stream().filter(e -> e.kind().equals(kind)).findFirst();
  }

  public Instant createdAtInstant() {
    return Instant.parse(createdAt);
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses and checks a manifest; anything malformed or from a newer format is an error. */
  public static Manifest parse(byte[] json) throws IOException {
    Manifest m;
    try {
      m = JSON.readValue(json, Manifest.class);
    } catch (JsonProcessingException e) {
      throw new IOException("unreadable backup manifest: " + e.getOriginalMessage(), e);
    }
    m.validate();
    return m;
  }

  void validate() throws IOException {
    if (formatVersion != FORMAT_VERSION) {
      throw new IOException(
          "backup manifest format " + formatVersion + " is not supported (this operator reads "
              + FORMAT_VERSION + "); use the operator version that wrote it");
    }
    require(
        backup != null && stack != null && BackupNames.isBackupOf(stack, backup),
        "its backup name does not match its stack");
    try {
      createdAtInstant();
    } catch (DateTimeParseException | NullPointerException e) {
      throw new IOException("backup manifest: createdAt is not an ISO-8601 instant");
    }
    require(
        uploadsLocation != null && UPLOADS_LOCATIONS.contains(uploadsLocation),
        "unknown uploadsLocation");
    require(
        encryption != null
            && (MODE_PUBLIC_KEY.equals(encryption.mode())
                || MODE_PASSPHRASE.equals(encryption.mode())),
        "unknown encryption mode");
    require(objects != null, "no objects");
    Set<String> kinds = new HashSet<>();
    for (Entry e : objects) {
      require(
          e != null && e.kind() != null && OBJECT_NAMES.containsKey(e.kind()),
          "unknown object kind");
      require(
          OBJECT_NAMES.get(e.kind()).equals(e.name()),
          "object name " + e.name() + " does not match its kind");
      require(kinds.add(e.kind()), "object " + e.name() + " listed twice");
      require(e.bytes() >= 0 && e.plaintextBytes() >= 0, "negative size");
      require(
          !e.kind().equals(KIND_SECRETS) || e.plaintextBytes() <= MAX_SECRETS_BYTES,
          "the credentials object is larger than " + MAX_SECRETS_BYTES + " bytes");
      require(
          e.sha256() != null && SHA256.matcher(e.sha256()).matches(),
          "object " + e.name() + " has no valid sha256");
    }
    if (database != null) {
      database.validate();
    }
  }

  private static void require(boolean ok, String problem) throws IOException {
    if (!ok) {
      throw new IOException("invalid backup manifest: " + problem);
    }
  }
}
