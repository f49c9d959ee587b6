package org.loomio.operator.backup;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one SQL statement that reads a database's facts for restore drills ({@link Manifest.DatabaseFacts}): the
 * server's major version, the highest Rails migration version and the row counts of Loomio's main tables. The
 * backup runs it in the transaction whose snapshot {@code pg_dump --snapshot} then dumps, so the facts and the
 * dump see the same database; the drill runs it on the restored copy and compares.
 *
 * <p>The main tables are the ones holding what a Loomio site is (people, groups, their threads, votes and
 * files), from Loomio's {@code db/schema.rb}: {@link #MAIN_TABLES}. A table that does not exist (an older or
 * newer Loomio) is simply not counted. The statement is plain SQL with every name schema-qualified; callers
 * run it with {@code search_path = pg_catalog}, so nothing the database defines can stand in for a built-in.
 */
public final class DatabaseFactsQuery {

  /** Loomio's main tables (db/schema.rb of loomio/loomio). */
  public static final List<String> MAIN_TABLES = List.of(
      "users",
      "groups",
      "memberships",
      "discussions",
      "comments",
      "polls",
      "poll_options",
      "stances",
      "outcomes",
      "events",
      "notifications",
      "reactions",
      "documents",
      "active_storage_blobs",
      "active_storage_attachments");

  /** The statement: one line of JSON, {"serverMajor":N,"migrationVersion":"…"|null,"rowCounts":{…}}. */
  public static final String SQL = """
      SELECT json_build_object(
        'serverMajor', pg_catalog.current_setting('server_version_num')::int / 10000,
        'migrationVersion', (SELECT (pg_catalog.xpath('/row/v/text()', pg_catalog.query_to_xml(
            'SELECT pg_catalog.max(version) AS v FROM public.schema_migrations', false, true, '')))[1]::text
          WHERE pg_catalog.to_regclass('public.schema_migrations') IS NOT NULL),
        'rowCounts', (SELECT coalesce(pg_catalog.json_object_agg(c.relname, (pg_catalog.xpath('/row/c/text()',
            pg_catalog.query_to_xml(pg_catalog.format('SELECT pg_catalog.count(*) AS c FROM public.%%I', c.relname),
              false, true, '')))[1]::text::bigint ORDER BY c.relname), '{}'::json)
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname IN (%s)));
      """.formatted(
          MAIN_TABLES.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", ")))
      .replace("\n", " ")
      .replaceAll(" +", " ")
      .strip();

  private DatabaseFactsQuery() {}
}
