import { badRequest } from '../errors';

/**
 * The candidate search language, MLflow-like: clauses joined by AND, e.g.
 * `metrics.auc > 0.9 and params.depth = '6' and tags.team = "nlp" and status = 'finished'`.
 */
export type Op = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE';
export interface Clause {
  kind: 'metric' | 'param' | 'tag' | 'attribute';
  key: string;
  op: Op;
  value: string | number;
}

export const ATTRIBUTES = [
  'status',
  'name',
  'experiment',
  'author',
  'run_id',
  'iid',
  'created_at',
  'updated_at'
] as const;

const KINDS: Record<string, Clause['kind']> = {
  metrics: 'metric',
  metric: 'metric',
  params: 'param',
  param: 'param',
  tags: 'tag',
  tag: 'tag',
  attributes: 'attribute',
  attribute: 'attribute'
};

const TOKEN =
  /\s*(?:(and)\b|([A-Za-z_]+)\.(`[^`]+`|"[^"]+"|[A-Za-z0-9_.\-/:]+)|(?!i?like\b)([A-Za-z_]+)|(>=|<=|!=|<>|=|>|<|i?like\b)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))/iy;

type Tok =
  | { t: 'and' }
  | { t: 'ident'; kind: Clause['kind']; key: string }
  | { t: 'op'; op: Op }
  | { t: 'value'; v: string | number };

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) {
      break;
    }
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) {
      throw badRequest(
        `filter: cannot read "${text.slice(pos, pos + 20)}"; write clauses like metrics.auc > 0.9 and params.depth = '6'`
      );
    }
    pos = TOKEN.lastIndex;
    if (m[1]) {
      toks.push({ t: 'and' });
    } else if (m[2]) {
      const kind = KINDS[m[2].toLowerCase()];
      if (!kind) {
        throw badRequest(
          `filter: unknown prefix "${m[2]}"; use metrics., params., tags. or attributes.`
        );
      }
      toks.push({ t: 'ident', kind, key: m[3].replace(/^[`"]|[`"]$/g, '') });
    } else if (m[4]) {
      toks.push({ t: 'ident', kind: 'attribute', key: m[4] });
    } else if (m[5]) {
      const word = m[5].toUpperCase();
      const op =
        word === 'LIKE' || word === 'ILIKE'
          ? word
          : m[5] === '<>'
            ? '!='
            : (m[5] as Op);
      toks.push({ t: 'op', op });
    } else if (m[6] !== undefined) {
      toks.push({ t: 'value', v: m[6].replace(/\\(.)/g, '$1') });
    } else if (m[7] !== undefined) {
      toks.push({ t: 'value', v: m[7].replace(/\\(.)/g, '$1') });
    } else {
      toks.push({ t: 'value', v: Number(m[8]) });
    }
  }
  return toks;
}

export function parseFilter(text: string | undefined): Clause[] {
  if (!text || !text.trim()) {
    return [];
  }
  const toks = tokenize(text);
  const clauses: Clause[] = [];
  for (let i = 0; i < toks.length;) {
    const [a, b, c] = [toks[i], toks[i + 1], toks[i + 2]];
    if (a?.t !== 'ident' || b?.t !== 'op' || c?.t !== 'value') {
      throw badRequest(
        `filter: expected "<key> <op> <value>" at clause ${clauses.length + 1}`
      );
    }
    if (
      a.kind === 'attribute' &&
      !(ATTRIBUTES as readonly string[]).includes(a.key)
    ) {
      throw badRequest(
        `filter: unknown attribute "${a.key}"; known: ${ATTRIBUTES.join(', ')}`
      );
    }
    if (a.kind === 'metric' && typeof c.v !== 'number') {
      throw badRequest(`filter: metrics.${a.key} compares with a number`);
    }
    if (a.kind === 'metric' && (b.op === 'LIKE' || b.op === 'ILIKE')) {
      throw badRequest(
        'filter: LIKE and ILIKE work on params, tags and text attributes'
      );
    }
    clauses.push({
      kind: a.kind,
      key: a.key,
      op: b.op,
      value:
        a.kind === 'metric' ? c.v : a.key === 'iid' ? Number(c.v) : String(c.v)
    });
    i += 3;
    if (i < toks.length) {
      if (toks[i].t !== 'and') {
        throw badRequest('filter: join clauses with "and"');
      }
      i++;
      if (i >= toks.length) {
        throw badRequest('filter: a clause must follow "and"');
      }
    }
  }
  return clauses;
}

/** The candidate columns a list can be ordered by, besides a metric's or a param's value. */
export const ORDER_COLUMNS = [
  'iid',
  'created_at',
  'name',
  'status',
  'experiment'
] as const;
export type OrderColumn = (typeof ORDER_COLUMNS)[number];

export interface OrderBy {
  kind: 'metric' | 'param' | OrderColumn;
  key?: string;
  dir: 'asc' | 'desc';
}

export function parseOrderBy(text: string | undefined): OrderBy {
  if (!text || !text.trim()) {
    return { kind: 'iid', dir: 'desc' };
  }
  const m = new RegExp(
    `^\\s*(?:(metrics?|params?)\\.(\`[^\`]+\`|"[^"]+"|\\S+)|(?:attributes\\.)?(${ORDER_COLUMNS.join('|')}))(?:\\s+(asc|desc))?\\s*$`,
    'i'
  ).exec(text);
  if (!m) {
    throw badRequest(
      `order_by: use "metrics.<key> DESC", "params.<key> ASC" or one of ${ORDER_COLUMNS.join(', ')} with ASC or DESC`
    );
  }
  const dir = (m[4]?.toLowerCase() as 'asc' | 'desc' | undefined) ?? 'desc';
  if (m[1]) {
    return {
      kind: m[1].toLowerCase().startsWith('metric') ? 'metric' : 'param',
      key: m[2].replace(/^[`"]|[`"]$/g, ''),
      dir
    };
  }
  return { kind: m[3].toLowerCase() as OrderColumn, dir };
}
