import type { DatasetInput, DatasetRow } from '../repos/candidate-datasets';
import { invalidParam } from './errors';

/** The input tag that says what a dataset was used for (mlflow.utils.mlflow_tags.MLFLOW_DATASET_CONTEXT). */
export const CONTEXT_TAG = 'mlflow.data.context';

// MLflow's limits (mlflow/utils/validation.py).
const MAX_DATASETS_PER_BATCH = 1000;
const LIMITS = {
  name: 500,
  digest: 36,
  source: 65535,
  schema: 1048575,
  profile: 16777215
} as const;
const MAX_INPUT_TAG_KEY = 255;
const MAX_INPUT_TAG_VALUE = 500;

type Obj = Record<string, unknown>;

const text = (o: Obj, key: string): string | undefined =>
  o[key] === undefined || o[key] === null ? undefined : String(o[key]);

function checked(o: Obj, key: keyof typeof LIMITS, required: boolean) {
  const v = text(o, key);
  if (v === undefined) {
    if (required) {
      throw invalidParam(`Dataset ${key} cannot be None`);
    }
    return null;
  }
  if (v.length > LIMITS[key]) {
    throw invalidParam(
      `'${key}' exceeds the maximum length of ${LIMITS[key]} characters`
    );
  }
  return v;
}

function inputTags(list: unknown): { key: string; value: string }[] {
  if (list === undefined || list === null) {
    return [];
  }
  if (!Array.isArray(list)) {
    throw invalidParam('Dataset input tags must be a list');
  }
  return list.map(t => {
    const o = (t ?? {}) as Obj;
    const key = text(o, 'key');
    const value = text(o, 'value');
    if (key === undefined) {
      throw invalidParam('InputTag key cannot be None');
    }
    if (value === undefined) {
      throw invalidParam('InputTag value cannot be None');
    }
    if (key.length > MAX_INPUT_TAG_KEY) {
      throw invalidParam(
        `'key' exceeds the maximum length of ${MAX_INPUT_TAG_KEY} characters`
      );
    }
    if (value.length > MAX_INPUT_TAG_VALUE) {
      throw invalidParam(
        `'value' exceeds the maximum length of ${MAX_INPUT_TAG_VALUE} characters`
      );
    }
    return { key, value };
  });
}

/** `log_inputs`' datasets, checked as MLflow's store checks them (`_validate_dataset_inputs`). */
export function datasetInputs(list: unknown): DatasetInput[] {
  if (list === undefined || list === null) {
    return [];
  }
  if (!Array.isArray(list)) {
    throw invalidParam('datasets must be a list');
  }
  if (list.length > MAX_DATASETS_PER_BATCH) {
    throw invalidParam(
      `A batch logging request can contain at most ${MAX_DATASETS_PER_BATCH} datasets. Got ${list.length} datasets.`
    );
  }
  return list.map(entry => {
    const e = (entry ?? {}) as Obj;
    const d = e.dataset;
    if (!d || typeof d !== 'object') {
      throw invalidParam(
        'Dataset input must have a dataset associated with it.'
      );
    }
    const dataset = d as Obj;
    const sourceType = text(dataset, 'source_type');
    if (sourceType === undefined) {
      throw invalidParam('Dataset source_type cannot be None');
    }
    const tags = inputTags(e.tags);
    return {
      name: checked(dataset, 'name', true)!,
      digest: checked(dataset, 'digest', true)!,
      source_type: sourceType,
      source: checked(dataset, 'source', true)!,
      schema: checked(dataset, 'schema', false),
      profile: checked(dataset, 'profile', false),
      context: tags.find(t => t.key === CONTEXT_TAG)?.value ?? '',
      tags: JSON.stringify(tags)
    };
  });
}

/** A run's dataset input as MLflow answers it (`run.inputs.dataset_inputs[]`). */
export function datasetInputJson(row: DatasetRow) {
  return {
    tags: JSON.parse(row.tags) as { key: string; value: string }[],
    dataset: {
      name: row.name,
      digest: row.digest,
      source_type: row.source_type,
      source: row.source,
      ...(row.schema !== null ? { schema: row.schema } : {}),
      ...(row.profile !== null ? { profile: row.profile } : {})
    }
  };
}
