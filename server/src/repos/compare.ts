import type { CandidateRow, Db, ModelRow } from '../db/database';
import { badRequest, notFound } from '../errors';
import { manifests } from './artifacts';
import { metricHistories } from './metrics';
import type { CompareView } from '../schemas/compare';
import type { ModelMetadata } from './models';
import { resolveVersion } from './versions';

const LOWER_IS_BETTER = /loss|error|mse|rmse|mae|perplexity/i;

/** Model metadata wins; otherwise the name says it (loss, error, mse, ... are minimised). */
export function metricGoal(
  key: string,
  goals: ModelMetadata['metric_goals']
): 'max' | 'min' {
  return goals[key] ?? (LOWER_IS_BETTER.test(key) ? 'min' : 'max');
}

interface Item {
  ref: string;
  kind: 'candidate' | 'version';
  candidate: CandidateRow;
  version: string | null;
}

async function resolveRefs(
  db: Db,
  model: ModelRow,
  refs: string[]
): Promise<Item[]> {
  const iids = new Set<number>();
  const parsed = refs.map(ref => {
    const m = /^(c|v):(.+)$/.exec(ref);
    if (!m) {
      throw badRequest(`refs: "${ref}" should be c:<iid> or v:<version>`);
    }
    if (m[1] === 'c') {
      const iid = Number(m[2]);
      if (!Number.isInteger(iid) || iid < 1) {
        throw badRequest(`refs: "${ref}" needs a candidate number`);
      }
      iids.add(iid);
      return { ref, kind: 'candidate' as const, iid };
    }
    return { ref, kind: 'version' as const, version: m[2] };
  });
  const versions = new Map<string, { candidate_id: number; version: string }>();
  for (const p of parsed) {
    if (p.kind === 'version' && !versions.has(p.version)) {
      versions.set(p.version, await resolveVersion(db, model.id, p.version));
    }
  }
  const ids = [...versions.values()].map(v => v.candidate_id);
  // Two lookups, not one `iid IN (..) OR id IN (..)`: with the OR, SQLite reads every candidate of
  // the model (a 1,000,000-candidate sweep: hundreds of ms); each half is an index lookup.
  const [byIidRows, byIdRows] = await Promise.all([
    iids.size
      ? db
          .selectFrom('candidates')
          .selectAll()
          .where('model_id', '=', model.id)
          .where('iid', 'in', [...iids])
          .execute()
      : [],
    ids.length
      ? db
          .selectFrom('candidates')
          .selectAll()
          .where('model_id', '=', model.id)
          .where('id', 'in', ids)
          .execute()
      : []
  ]);
  const rows = [
    ...new Map([...byIidRows, ...byIdRows].map(r => [r.id, r])).values()
  ];
  const byIid = new Map(rows.map(r => [r.iid, r]));
  const byId = new Map(rows.map(r => [r.id, r]));
  const promoted = await db
    .selectFrom('versions')
    .select(['candidate_id', 'version'])
    .where('candidate_id', 'in', rows.length ? rows.map(r => r.id) : [-1])
    .execute();
  const versionOf = new Map(promoted.map(v => [v.candidate_id, v.version]));
  return parsed.map(p => {
    if (p.kind === 'candidate') {
      const c = byIid.get(p.iid);
      if (!c) {
        throw notFound(`candidate ${p.iid}`);
      }
      return {
        ref: p.ref,
        kind: p.kind,
        candidate: c,
        version: versionOf.get(c.id) ?? null
      };
    }
    const v = versions.get(p.version)!;
    return {
      ref: p.ref,
      kind: p.kind,
      candidate: byId.get(v.candidate_id)!,
      version: v.version
    };
  });
}

export async function compareItems(
  db: Db,
  model: ModelRow,
  refs: string[]
): Promise<CompareView> {
  const items = await resolveRefs(db, model, refs);
  const ids = [...new Set(items.map(i => i.candidate.id))];
  const [params, histories, files] = await Promise.all([
    db
      .selectFrom('params')
      .selectAll()
      .where('candidate_id', 'in', ids)
      .execute(),
    metricHistories(db, ids),
    manifests(db, ids)
  ]);
  const goals =
    (JSON.parse(model.metadata) as ModelMetadata).metric_goals ?? {};

  const paramKeys = [...new Set(params.map(p => p.key))].sort();
  const paramOf = new Map(
    params.map(p => [`${p.candidate_id}\0${p.key}`, p.value])
  );
  const paramRows = paramKeys.map(key => {
    const values = items.map(
      i => paramOf.get(`${i.candidate.id}\0${key}`) ?? null
    );
    return { key, values, differs: new Set(values).size > 1 };
  });

  type Point = CompareView['metrics'][number]['history'][number][number];
  const hist = new Map<string, Point[]>();
  const last = new Map<string, Point>();
  for (const h of histories) {
    if (h.is_nan) {
      continue; // NaN is no value to compare or chart; the latest real value stands.
    }
    const k = `${h.candidate_id}\0${h.key}`;
    const p = {
      step: Number(h.step),
      value: h.value,
      timestamp: Number(h.timestamp)
    };
    (hist.get(k) ?? hist.set(k, []).get(k)!).push(p);
    const cur = last.get(k);
    if (
      !cur ||
      p.step > cur.step ||
      (p.step === cur.step && p.timestamp >= cur.timestamp)
    ) {
      last.set(k, p);
    }
  }
  const metricKeys = [...new Set(histories.map(h => h.key))].sort();
  const metricRows = metricKeys.map(key => {
    const goal = metricGoal(key, goals);
    const values = items.map(
      i => last.get(`${i.candidate.id}\0${key}`)?.value ?? null
    );
    let best: number | null = null;
    values.forEach((v, idx) => {
      if (v === null) {
        return;
      }
      if (
        best === null ||
        (goal === 'max' ? v > values[best]! : v < values[best]!)
      ) {
        best = idx;
      }
    });
    return {
      key,
      values,
      best,
      goal,
      history: items.map(i => hist.get(`${i.candidate.id}\0${key}`) ?? [])
    };
  });

  const fileOf = new Map(
    files.map(f => [
      `${f.candidate_id}\0${f.path}`,
      { sha256: f.sha256, size: Number(f.size) }
    ])
  );
  const paths = [...new Set(files.map(f => f.path))].sort();
  const fileRows = paths.map((path): CompareView['files'][number] => {
    const entries = items.map(
      i => fileOf.get(`${i.candidate.id}\0${path}`) ?? null
    );
    const first = entries[0];
    const rest = entries.slice(1);
    const status = !first
      ? 'added'
      : rest.some(e => !e)
        ? 'removed'
        : rest.some(e => e!.sha256 !== first.sha256)
          ? 'changed'
          : 'same';
    return { path, entries, status };
  });

  return {
    items: items.map(i => ({
      ref: i.ref,
      kind: i.kind,
      iid: i.candidate.iid,
      version: i.version,
      name: i.candidate.name
    })),
    params: paramRows,
    metrics: metricRows,
    files: fileRows
  };
}
