import YAML from 'yaml';
import { badRequest } from '../errors';
import {
  CARD_SECTION_KEYS,
  type CardSectionKey,
  type CardSectionsValue
} from '../schemas/card';
import { emptySections } from './card';
import type { ModelMetadata } from './models';

/** Headings written for each section, and the Hugging Face template headings read back into it. */
const HEADINGS: Record<CardSectionKey, { title: string; reads: string[] }> = {
  intended_use: {
    title: 'Intended use',
    reads: [
      'uses',
      'direct use',
      'intended uses',
      'intended uses & limitations',
      'intended uses and limitations'
    ]
  },
  out_of_scope: {
    title: 'Out of scope',
    reads: [
      'out-of-scope use',
      'out of scope use',
      'out-of-scope',
      'out of scope uses'
    ]
  },
  versioning: { title: 'Versioning', reads: ['versioning policy'] },
  training_data: {
    title: 'Training data',
    reads: ['training details', 'training procedure', 'training']
  },
  evaluation: {
    title: 'Evaluation',
    reads: ['evaluation results', 'results', 'testing data, factors & metrics']
  },
  deployment: { title: 'Deployment', reads: [] },
  inference: {
    title: 'Inference',
    reads: ['how to get started with the model', 'how to use', 'usage']
  },
  retraining: { title: 'Retraining', reads: [] },
  monitoring: { title: 'Monitoring', reads: [] },
  risks: {
    title: 'Risks',
    reads: [
      'bias, risks, and limitations',
      'bias, risks and limitations',
      'limitations',
      'risks and limitations',
      'recommendations'
    ]
  },
  owners: {
    title: 'Owners',
    reads: ['model card authors', 'model card contact', 'authors', 'contact']
  }
};

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
const SECTION_BY_HEADING = new Map<string, CardSectionKey>();
for (const key of CARD_SECTION_KEYS) {
  for (const h of [
    key,
    key.replace(/_/g, ' '),
    HEADINGS[key].title,
    ...HEADINGS[key].reads
  ]) {
    SECTION_BY_HEADING.set(norm(h), key);
  }
}

/** Hugging Face pipeline tags a modelreg task may be (https://huggingface.co/docs/hub/models-tasks). */
const PIPELINE_TAGS = new Set([
  'tabular-classification',
  'tabular-regression',
  'text-classification',
  'token-classification',
  'question-answering',
  'summarization',
  'translation',
  'text-generation',
  'fill-mask',
  'sentence-similarity',
  'feature-extraction',
  'zero-shot-classification',
  'image-classification',
  'object-detection',
  'image-segmentation',
  'image-to-text',
  'text-to-image',
  'automatic-speech-recognition',
  'audio-classification',
  'text-to-speech',
  'time-series-forecasting',
  'reinforcement-learning',
  'tabular-to-text',
  'graph-ml',
  'other'
]);
const LIBRARY_NAMES: Record<string, string> = {
  'scikit-learn': 'sklearn',
  sklearn: 'sklearn',
  torch: 'pytorch',
  pytorch: 'pytorch'
};

export interface CardDocument {
  modelFullName: string;
  description: string;
  sections: CardSectionsValue;
  metadata: ModelMetadata;
  /** The version the README describes, with its final metrics; null: the model as it is now, unreleased. */
  version: {
    version: string;
    metrics: Record<string, { value: number }>;
  } | null;
  cardRevision: number | null;
}

const asStrings = (v: unknown): string[] =>
  (Array.isArray(v)
    ? v
    : v === undefined || v === null || v === ''
      ? []
      : [v]
  ).map(String);

function frontMatter(doc: CardDocument): Record<string, unknown> {
  const m = doc.metadata;
  const extra = (m.extra ?? {}) as Record<string, unknown>;
  const fm: Record<string, unknown> = {};
  if (m.license) {
    fm.license = m.license;
  }
  if (m.tags?.length) {
    fm.tags = m.tags;
  }
  if (m.framework) {
    fm.library_name =
      LIBRARY_NAMES[m.framework.toLowerCase()] ?? m.framework.toLowerCase();
  }
  const pipeline = m.task && PIPELINE_TAGS.has(m.task) ? m.task : null;
  if (pipeline) {
    fm.pipeline_tag = pipeline;
  }
  const baseModel = asStrings(extra.base_model);
  if (baseModel.length) {
    fm.base_model = baseModel.length === 1 ? baseModel[0] : baseModel;
  }
  const datasets = asStrings(extra.datasets);
  if (datasets.length) {
    fm.datasets = datasets;
  }
  const metrics = Object.entries(doc.version?.metrics ?? {})
    .filter(([, v]) => Number.isFinite(v.value))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (metrics.length) {
    fm['model-index'] = [
      {
        name: doc.modelFullName,
        results: [
          {
            task: { type: pipeline ?? (m.task || 'other') },
            dataset: datasets.length
              ? { name: datasets[0], type: datasets[0] }
              : { name: 'evaluation data', type: 'custom' },
            metrics: metrics.map(([key, v]) => ({
              type: key,
              value: v.value,
              name: key
            }))
          }
        ]
      }
    ];
  }
  fm.modelreg = {
    model: doc.modelFullName,
    ...(doc.version ? { version: doc.version.version } : {}),
    ...(doc.cardRevision ? { card_revision: doc.cardRevision } : {})
  };
  return fm;
}

/** A README.md the Hugging Face Hub (and huggingface_hub.ModelCard) reads: YAML front matter, then the sections. */
export function renderCardMarkdown(doc: CardDocument): string {
  const parts = [
    '---',
    YAML.stringify(frontMatter(doc)).trimEnd(),
    '---',
    '',
    `# ${doc.modelFullName}`,
    ''
  ];
  if (doc.description.trim()) {
    parts.push(doc.description.trim(), '');
  }
  for (const key of CARD_SECTION_KEYS) {
    const text = doc.sections[key].trim();
    if (text) {
      parts.push(`## ${HEADINGS[key].title}`, '', text, '');
    }
  }
  return parts.join('\n');
}

export interface ImportedCard {
  description: string;
  sections: CardSectionsValue;
  metadata: Partial<ModelMetadata>;
}

function splitFrontMatter(text: string): { yaml: string | null; body: string } {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  if (lines[0].trimEnd() !== '---') {
    return { yaml: null, body: lines.join('\n') };
  }
  const close = lines.findIndex((l, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(l));
  if (close < 0) {
    throw badRequest(
      'card.md starts a YAML front matter with "---" but never closes it with a "---" line'
    );
  }
  return {
    yaml: lines.slice(1, close).join('\n'),
    body: lines.slice(close + 1).join('\n')
  };
}

function metadataFrom(yamlText: string | null): Partial<ModelMetadata> {
  if (yamlText === null || !yamlText.trim()) {
    return {};
  }
  let data: unknown;
  try {
    data = YAML.parse(yamlText, { maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(
      `card.md's YAML front matter does not parse: ${(err as Error).message.split('\n')[0]}`
    );
  }
  if (data === null || data === undefined) {
    return {};
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw badRequest(
      "card.md's YAML front matter must be a mapping (key: value lines)"
    );
  }
  const fm = data as Record<string, unknown>;
  const out: Partial<ModelMetadata> = {};
  if (typeof fm.license === 'string') {
    out.license = fm.license;
  }
  if (fm.tags !== undefined) {
    out.tags = asStrings(fm.tags);
  }
  if (typeof fm.library_name === 'string') {
    out.framework = fm.library_name;
  }
  if (typeof fm.pipeline_tag === 'string') {
    out.task = fm.pipeline_tag;
  }
  const extra: Record<string, unknown> = {};
  if (fm.base_model !== undefined) {
    extra.base_model = fm.base_model;
  }
  if (fm.datasets !== undefined) {
    extra.datasets = asStrings(fm.datasets);
  }
  if (Object.keys(extra).length) {
    out.extra = extra;
  }
  return out;
}

/**
 * Reads a README.md back: front matter into metadata, "## " headings into sections (ours and the Hugging
 * Face template's), the text before them into the description. A heading that matches no section is kept,
 * with its text, at the end of the description, so an import loses nothing.
 */
export function parseCardMarkdown(text: string): ImportedCard {
  const { yaml, body } = splitFrontMatter(text);
  const sections = emptySections();
  const intro: string[] = [];
  const unmatched: string[] = [];
  let target: string[] = intro;
  let seenTitle = false;
  let fence: string | null = null;
  const collected = new Map<CardSectionKey, string[]>();
  for (const line of body.split('\n')) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      fence = fence === null ? f[1][0] : fence === f[1][0] ? null : fence;
    }
    if (fence === null && !f) {
      const h1 = /^#\s+(.*)$/.exec(line);
      if (h1 && !seenTitle && target === intro && intro.every(l => !l.trim())) {
        seenTitle = true; // the title is the model's name: not part of the description
        continue;
      }
      const h2 = /^##\s+(.*?)\s*#*\s*$/.exec(line);
      if (h2) {
        const key = SECTION_BY_HEADING.get(norm(h2[1]));
        if (key) {
          target = collected.get(key) ?? collected.set(key, []).get(key)!;
          if (target.length) {
            target.push('');
          }
        } else {
          target = unmatched;
          unmatched.push(line);
        }
        continue;
      }
    }
    target.push(line);
  }
  for (const [key, lines] of collected) {
    sections[key] = lines.join('\n').trim();
  }
  const description = [intro.join('\n').trim(), unmatched.join('\n').trim()]
    .filter(Boolean)
    .join('\n\n');
  return { description, sections, metadata: metadataFrom(yaml) };
}
