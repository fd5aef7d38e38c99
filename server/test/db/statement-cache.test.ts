import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Generated } from 'kysely';
import { cachingStatements } from '../../src/db/statement-cache';

// A real SQLite file, opened as the registry opens it, with Kysely on top.
function open(capacity?: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-stmt-'));
  const sqlite = new SqliteDatabase(path.join(dir, 'db.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  const cached = cachingStatements(sqlite, capacity);
  const prepared: string[] = [];
  const counting = {
    close: () => cached.close(),
    prepare: (text: string) => {
      prepared.push(text);
      return cached.prepare(text);
    }
  };
  const db = new Kysely<{ t: { id: Generated<number>; v: string } }>({
    dialect: new SqliteDialect({ database: counting })
  });
  return { db, sqlite, cached, dir, prepared };
}

describe('cachingStatements', () => {
  test('the same query text is prepared once and bound again with new parameters', () => {
    const { sqlite, cached, dir } = open();
    sqlite.exec('create table t (id integer primary key, v text)');
    const insert = cached.prepare('insert into t (v) values (?)');
    insert.run(['a']);
    expect(cached.prepare('insert into t (v) values (?)')).toBe(insert);
    cached.prepare('insert into t (v) values (?)').run(['b']);
    expect(cached.prepare('select v from t order by id').all([])).toEqual([
      { v: 'a' },
      { v: 'b' }
    ]);
    cached.close();
    fs.rmSync(dir, { recursive: true });
  });

  test('it holds at most its capacity, dropping the least recently used text', () => {
    const { cached, sqlite, dir } = open(2);
    const a = cached.prepare('select 1');
    const b = cached.prepare('select 2');
    expect(cached.prepare('select 1')).toBe(a); // "select 2" is now the oldest
    cached.prepare('select 3');
    expect(cached.prepare('select 1')).toBe(a);
    expect(cached.prepare('select 2')).not.toBe(b);
    expect(sqlite.open).toBe(true);
    cached.close();
    expect(sqlite.open).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });

  test('a statement still being iterated is not handed out again: the same text runs beside it', () => {
    const { sqlite, cached, dir } = open();
    sqlite.exec(
      "create table t (id integer primary key, v text); insert into t (v) values ('a'), ('b'), ('c')"
    );
    const text = 'select v from t order by id';
    const first = cached.prepare(text);
    const iterator = first.iterate([]);
    expect(iterator.next().value).toEqual({ v: 'a' });
    const second = cached.prepare(text);
    expect(second).not.toBe(first);
    expect(second.all([])).toHaveLength(3);
    iterator.return?.();
    expect(cached.prepare(text)).toBe(first);
    cached.close();
    fs.rmSync(dir, { recursive: true });
  });

  test('a cached statement sees a schema change made after it was prepared', async () => {
    const { db, sqlite, prepared, dir } = open();
    sqlite.exec('create table t (id integer primary key, v text)');
    await db.insertInto('t').values({ v: 'x' }).execute();
    await db.insertInto('t').values({ v: 'y' }).execute();
    expect(new Set(prepared).size).toBe(1);
    await sql`create index t_v on t (v)`.execute(db);
    await db.insertInto('t').values({ v: 'z' }).execute();
    expect(
      (await db.selectFrom('t').select('v').orderBy('v').execute()).map(
        r => r.v
      )
    ).toEqual(['x', 'y', 'z']);
    await db.destroy();
    fs.rmSync(dir, { recursive: true });
  });
});
