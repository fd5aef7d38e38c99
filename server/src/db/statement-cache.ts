import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * Kysely's SQLite driver prepares every query it runs, and better-sqlite3's prepare (SQLite parsing and
 * planning the text) was 13% of the registry's CPU while serving MLflow's runs/get and log-batch: more than
 * running the statements. Kysely emits the same text for the same query shape, so a prepared statement is
 * kept per text and bound again with the next call's parameters.
 *
 * Bounded, least recently used first out: texts vary with list lengths (`in (?, ?, ...)`, multi-row
 * inserts), so an unbounded map would grow with the data. A statement SQLite invalidates (a migration
 * changed the schema) is re-prepared by SQLite itself on its next step.
 */
export function cachingStatements(
  sqlite: BetterSqlite3.Database,
  capacity = 500
): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare(sql: string) {
      const kept = statements.get(sql);
      // A statement still being iterated (a stream not read to its end) cannot run again until it is done.
      if (kept && !kept.busy) {
        statements.delete(sql);
        statements.set(sql, kept);
        return kept;
      }
      const fresh = sqlite.prepare(sql);
      if (!kept) {
        statements.set(sql, fresh);
        if (statements.size > capacity) {
          statements.delete(statements.keys().next().value as string);
        }
      }
      return fresh;
    }
  };
}
