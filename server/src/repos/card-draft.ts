import type { BlobStore } from '../blobs/store';
import type { Db, ModelRow } from '../db/database';
import type { CardView } from '../schemas/card';
import { candidateViews, type CandidateView } from './candidates';
import { completeness, emptySections, requiredSections } from './card';

/** A notebook snapshot bigger than this is not read for a draft (the draft is a convenience). */
const MAX_NOTEBOOK_BYTES = 5 * 1024 * 1024;

/** Package names (as pip lists them) that say which framework a candidate was trained with. */
const FRAMEWORKS: [string, string][] = [
  ['transformers', 'transformers'],
  ['torch', 'pytorch'],
  ['tensorflow', 'tensorflow'],
  ['keras', 'keras'],
  ['xgboost', 'xgboost'],
  ['lightgbm', 'lightgbm'],
  ['catboost', 'catboost'],
  ['scikit-learn', 'sklearn'],
  ['sklearn', 'sklearn']
];
const TABULAR = new Set(['sklearn', 'xgboost', 'lightgbm', 'catboost']);
const CLASSIFICATION =
  /(^|_)(auc|roc|accuracy|acc|f1|precision|recall|logloss|log_loss)($|_)/i;
const REGRESSION = /(^|_)(rmse|mse|mae|r2|mape)($|_)/i;

export interface Detected {
  framework?: string;
  task?: string;
}

/** Framework from the recorded packages (or an MLflow-style tag), task from the metric names. */
export function detect(candidate: CandidateView): Detected {
  const env = (candidate.provenance.environment ?? {}) as {
    packages?: { name?: string }[];
  };
  const names = new Set(
    (env.packages ?? []).map(p => String(p?.name ?? '').toLowerCase())
  );
  const tagged =
    candidate.tags?.['mlflow.source.framework'] ?? candidate.tags?.framework;
  const framework =
    tagged?.toLowerCase() ?? FRAMEWORKS.find(([pkg]) => names.has(pkg))?.[1];
  const keys = Object.keys(candidate.metrics);
  let task: string | undefined;
  if (framework && TABULAR.has(framework)) {
    if (keys.some(k => CLASSIFICATION.test(k))) {
      task = 'tabular-classification';
    } else if (keys.some(k => REGRESSION.test(k))) {
      task = 'tabular-regression';
    }
  }
  return { ...(framework ? { framework } : {}), ...(task ? { task } : {}) };
}

async function readNotebook(
  db: Db,
  blobs: BlobStore,
  candidateId: number,
  path: string
): Promise<{
  cells?: { cell_type?: string; source?: string | string[] }[];
} | null> {
  const file = await db
    .selectFrom('artifacts')
    .select(['sha256', 'size'])
    .where('candidate_id', '=', candidateId)
    .where('path', '=', path)
    .executeTakeFirst();
  if (!file || Number(file.size) > MAX_NOTEBOOK_BYTES) {
    return null;
  }
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of blobs.open(file.sha256)) {
      chunks.push(chunk as Buffer);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null; // not a notebook after all, or unreadable: draft without it
  }
}

/** The notebook's title (its first "# " heading) and its first markdown cell. */
export function notebookSummary(
  nb: { cells?: { cell_type?: string; source?: string | string[] }[] } | null
): { title?: string; text?: string } {
  const cell = nb?.cells?.find(c => c?.cell_type === 'markdown');
  if (!cell) {
    return {};
  }
  const text = (
    Array.isArray(cell.source)
      ? cell.source.join('')
      : String(cell.source ?? '')
  ).trim();
  const title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim();
  return { ...(title ? { title } : {}), ...(text ? { text } : {}) };
}

const cellText = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function evaluationTable(candidate: CandidateView): string {
  const rows = Object.entries(candidate.metrics).sort(([a], [b]) =>
    a < b ? -1 : 1
  );
  if (!rows.length) {
    return '';
  }
  const who = `candidate #${candidate.iid}${candidate.name ? ` (${candidate.name})` : ''}`;
  return [
    `Metrics of ${who}, as logged:`,
    '',
    '| Metric | Value | Step |',
    '| --- | --- | --- |',
    ...rows.map(([k, m]) => `| ${cellText(k)} | ${m.value} | ${m.step} |`)
  ].join('\n');
}

/**
 * Before anyone saves the card, it is drafted from the model's first candidate: its notebook's
 * title and first markdown cell become the description, its metrics an evaluation table, and the
 * detected framework and task are kept on the first save. Nothing is stored until then.
 */
export async function draftCard(
  db: Db,
  blobs: BlobStore,
  model: ModelRow,
  modelFullName: string
): Promise<CardView & { detected: Detected }> {
  const sections = emptySections();
  let description = model.description;
  let detected: Detected = {};
  const first = await db
    .selectFrom('candidates')
    .selectAll()
    .where('model_id', '=', model.id)
    .orderBy('iid')
    .limit(1)
    .executeTakeFirst();
  if (first) {
    const [candidate] = await candidateViews(db, [first], modelFullName);
    detected = detect(candidate);
    sections.evaluation = evaluationTable(candidate);
    const notebook = (candidate.provenance.notebook ?? {}) as {
      path?: string;
      snapshot?: string;
    };
    if (!description && notebook.snapshot) {
      const { title, text } = notebookSummary(
        await readNotebook(db, blobs, first.id, notebook.snapshot)
      );
      description = text ?? title ?? '';
    }
    if (notebook.path) {
      sections.training_data = `Trained in \`${notebook.path}\`.`;
    }
  }
  return {
    model: modelFullName,
    description,
    sections,
    revision: 0,
    draft: true,
    message: null,
    updated_at: null,
    updated_by: null,
    completeness: completeness(
      sections,
      await requiredSections(db, model.group_id)
    ),
    detected
  };
}
