import { invalidParam } from './errors';

/**
 * MLflow's search filter language, as its client sends it: clauses joined by AND, each
 * `<entity>.<key> <op> <value>` (`metrics.acc > 0.9`, `params.depth = '6'`, `tags."a b" LIKE 'x%'`,
 * `attributes.status IN ('FINISHED')`, `name = 'churn'`). Parsed once, evaluated in memory.
 */
export type Kind = 'metric' | 'param' | 'tag' | 'attribute';
export type Op =
  | '='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'LIKE'
  | 'ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL';
export interface Clause {
  kind: Kind;
  key: string;
  op: Op;
  value: string | number | (string | number)[] | null;
}

const PREFIX: Record<string, Kind> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute'
};

interface Token {
  t: 'word' | 'str' | 'num' | 'op' | 'lp' | 'rp' | 'comma' | 'dot' | 'quoted';
  v: string;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1,
        s = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) {
          j++;
        }
        s += text[j++];
      }
      if (j >= text.length) {
        throw invalidParam(`unterminated quote in filter "${text}"`);
      }
      out.push({ t: c === "'" ? 'str' : 'quoted', v: s });
      i = j + 1;
      continue;
    }
    const op = /^(!=|>=|<=|<>|=|>|<)/.exec(text.slice(i));
    if (op) {
      out.push({ t: 'op', v: op[1] === '<>' ? '!=' : op[1] });
      i += op[1].length;
      continue;
    }
    if (c === '(') {
      out.push({ t: 'lp', v: c });
      i++;
      continue;
    }
    if (c === ')') {
      out.push({ t: 'rp', v: c });
      i++;
      continue;
    }
    if (c === ',') {
      out.push({ t: 'comma', v: c });
      i++;
      continue;
    }
    if (c === '.') {
      out.push({ t: 'dot', v: c });
      i++;
      continue;
    }
    const num = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i));
    if (
      num &&
      (out.length === 0 ||
        out[out.length - 1].t === 'op' ||
        out[out.length - 1].t === 'lp' ||
        out[out.length - 1].t === 'comma')
    ) {
      out.push({ t: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][\w\-:/]*/.exec(text.slice(i));
    if (word) {
      out.push({ t: 'word', v: word[0] });
      i += word[0].length;
      continue;
    }
    throw invalidParam(`unexpected "${c}" in filter "${text}"`);
  }
  return out;
}

/** Parses a filter string; an empty filter is no clauses. `defaultKind` types bare names (`name = 'x'`). */
export function parseFilter(
  text: string | undefined,
  defaultKind: Kind = 'attribute'
): Clause[] {
  if (!text || !text.trim()) {
    return [];
  }
  const toks = tokenize(text);
  let i = 0;
  const fail = (why: string) =>
    invalidParam(`invalid filter "${text}": ${why}`);
  const clauses: Clause[] = [];
  while (i < toks.length) {
    // identifier: prefix.key, prefix."key", or a bare name
    const first = toks[i++];
    if (!first || (first.t !== 'word' && first.t !== 'quoted')) {
      throw fail('expected a name like metrics.acc');
    }
    let kind: Kind = defaultKind,
      key = first.v;
    if (
      toks[i]?.t === 'dot' &&
      first.t === 'word' &&
      PREFIX[first.v.toLowerCase()]
    ) {
      i++;
      const k = toks[i++];
      if (
        !k ||
        (k.t !== 'word' && k.t !== 'quoted' && k.t !== 'str' && k.t !== 'num')
      ) {
        throw fail(`expected a key after "${first.v}."`);
      }
      kind = PREFIX[first.v.toLowerCase()];
      key = k.v;
      // keys may themselves contain dots: metrics.val.acc
      while (toks[i]?.t === 'dot' && toks[i + 1]?.t === 'word') {
        key += '.' + toks[i + 1].v;
        i += 2;
      }
    }
    // operator
    const o = toks[i++];
    if (!o) {
      throw fail(`missing comparison after "${key}"`);
    }
    let op: Op;
    if (o.t === 'op') {
      op = o.v as Op;
    } else if (o.t === 'word' && /^(like|ilike|in)$/i.test(o.v)) {
      op = o.v.toUpperCase() as Op;
    } else if (
      o.t === 'word' &&
      /^not$/i.test(o.v) &&
      /^in$/i.test(toks[i]?.v ?? '')
    ) {
      i++;
      op = 'NOT IN';
    } else if (o.t === 'word' && /^is$/i.test(o.v)) {
      const not = /^not$/i.test(toks[i]?.v ?? '');
      if (not) {
        i++;
      }
      if (!/^null$/i.test(toks[i++]?.v ?? '')) {
        throw fail('expected NULL after IS');
      }
      clauses.push({
        kind,
        key,
        op: not ? 'IS NOT NULL' : 'IS NULL',
        value: null
      });
      if (!joinNext()) {
        break;
      }
      continue;
    } else {
      throw fail(`unknown comparison "${o.v}"`);
    }
    // value
    let value: Clause['value'];
    if (op === 'IN' || op === 'NOT IN') {
      if (toks[i++]?.t !== 'lp') {
        throw fail("IN needs a list like ('a', 'b')");
      }
      const list: (string | number)[] = [];
      while (toks[i] && toks[i].t !== 'rp') {
        const v = toks[i++];
        if (v.t === 'str' || v.t === 'quoted') {
          list.push(v.v);
        } else if (v.t === 'num') {
          list.push(Number(v.v));
        } else if (v.t !== 'comma') {
          throw fail(`unexpected "${v.v}" in IN list`);
        }
      }
      if (toks[i++]?.t !== 'rp') {
        throw fail('IN list is not closed');
      }
      value = list;
    } else {
      const v = toks[i++];
      if (!v) {
        throw fail(`missing value after "${key} ${op}"`);
      }
      if (v.t === 'num') {
        value = Number(v.v);
      } else if (v.t === 'str' || v.t === 'quoted') {
        value = v.v;
      } else if (v.t === 'word' && /^(true|false)$/i.test(v.v)) {
        value = v.v.toLowerCase();
      } else {
        throw fail(`values are numbers or quoted strings, got "${v.v}"`);
      }
    }
    clauses.push({ kind, key, op, value });
    if (!joinNext()) {
      break;
    }
  }
  return clauses;

  function joinNext(): boolean {
    if (i >= toks.length) {
      return false;
    }
    const t = toks[i++];
    if (t.t === 'word' && /^and$/i.test(t.v)) {
      return true;
    }
    throw fail(`clauses are joined with AND, got "${t.v}"`);
  }
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  const re = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${re}$`, flags + 's');
}

/** Whether one value satisfies a clause; a missing value matches only IS NULL and a tag's != / NOT IN. */
export function matches(
  clause: Clause,
  actual: string | number | undefined | null
): boolean {
  if (clause.op === 'IS NULL') {
    return actual === undefined || actual === null;
  }
  if (clause.op === 'IS NOT NULL') {
    return actual !== undefined && actual !== null;
  }
  // A missing tag is "not equal" to anything: the client hides prompts with `tags.mlflow.prompt.is_prompt != 'true'`.
  if (actual === undefined || actual === null) {
    return (
      clause.kind === 'tag' && (clause.op === '!=' || clause.op === 'NOT IN')
    );
  }
  const v = clause.value;
  switch (clause.op) {
    case 'LIKE':
      return likeToRegExp(String(v), '').test(String(actual));
    case 'ILIKE':
      return likeToRegExp(String(v), 'i').test(String(actual));
    case 'IN':
      return (v as (string | number)[]).some(x => String(x) === String(actual));
    case 'NOT IN':
      return !(v as (string | number)[]).some(
        x => String(x) === String(actual)
      );
    default: {
      const numeric = typeof actual === 'number' || typeof v === 'number';
      const a = numeric ? Number(actual) : String(actual);
      const b = numeric ? Number(v) : String(v);
      switch (clause.op) {
        case '=':
          return a === b;
        case '!=':
          return a !== b;
        case '>':
          return a > b;
        case '>=':
          return a >= b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
      }
    }
  }
  return false;
}

export interface OrderTerm {
  kind: Kind;
  key: string;
  desc: boolean;
}

/** `metrics.acc DESC`, `attributes.start_time`, `name ASC`, `params.\`a b\``. */
export function parseOrderBy(
  terms: string[] | undefined,
  defaultKind: Kind = 'attribute'
): OrderTerm[] {
  return (terms ?? [])
    .filter(t => t && t.trim())
    .map(term => {
      const m = /^\s*(.+?)(?:\s+(asc|desc))?\s*$/i.exec(term)!;
      const desc = (m[2] ?? '').toLowerCase() === 'desc';
      let ident = m[1].trim();
      let kind: Kind = defaultKind;
      const dot = /^([A-Za-z]+)\.(.+)$/.exec(ident);
      if (dot && PREFIX[dot[1].toLowerCase()]) {
        kind = PREFIX[dot[1].toLowerCase()];
        ident = dot[2];
      }
      ident = ident.replace(/^[`"'](.*)[`"']$/, '$1');
      if (!ident) {
        throw invalidParam(`invalid order_by "${term}"`);
      }
      return { kind, key: ident, desc };
    });
}

/** Compares two sort values; missing values go last whatever the direction, as MLflow does. */
export function compareValues(
  a: string | number | undefined | null,
  b: string | number | undefined | null,
  desc: boolean
): number {
  const am = a === undefined || a === null,
    bm = b === undefined || b === null;
  if (am || bm) {
    return am === bm ? 0 : am ? 1 : -1;
  }
  const c =
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : String(a) < String(b)
        ? -1
        : String(a) > String(b)
          ? 1
          : 0;
  return desc ? -c : c;
}

/** Offset paging tokens: opaque to the client, checked on the way back. */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

export function decodePageToken(token: string | undefined): number {
  if (!token) {
    return 0;
  }
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Number.isInteger(v.offset) && v.offset >= 0) {
      return v.offset;
    }
  } catch {
    /* fall through */
  }
  throw invalidParam(
    'page_token is not one this server handed out; search again without it'
  );
}

/** Applies offset paging to an already ordered list. */
export function page<T>(
  items: T[],
  maxResults: number | undefined,
  token: string | undefined,
  cap = 50000
) {
  const offset = decodePageToken(token);
  const size = Math.min(Math.max(Number(maxResults) || 1000, 1), cap);
  const slice = items.slice(offset, offset + size);
  return {
    items: slice,
    next_page_token:
      offset + size < items.length ? encodePageToken(offset + size) : undefined
  };
}
