/**
 * The code "Pull into notebook" inserts: `modelreg.load(...)` for versions logged with their model
 * descriptor (`models/<variable>/modelreg.json`), else fetch the files and, for known frameworks,
 * load them. The reference is pinned to the version an alias resolved to, the alias kept as a comment.
 */

/** Loader lines by framework; `{file}` is replaced by the path of the model file. */
const LOADERS: {
  match: RegExp;
  imports: string;
  load: string;
  extensions: string[];
}[] = [
  {
    match: /^(sklearn|scikit-learn|scikit_learn|joblib)$/i,
    imports: 'import joblib',
    load: 'model = joblib.load({file})',
    extensions: ['.joblib', '.pkl', '.pickle']
  },
  {
    match: /^(pytorch|torch)$/i,
    imports: 'import torch',
    load: 'model = torch.load({file}, weights_only=False)',
    extensions: ['.pt', '.pth']
  },
  {
    match: /^onnx$/i,
    imports: 'import onnxruntime',
    load: 'model = onnxruntime.InferenceSession(str({file}))',
    extensions: ['.onnx']
  },
  {
    match: /^pickle$/i,
    imports: 'import pickle',
    load: 'with open({file}, "rb") as f:\n    model = pickle.load(f)',
    extensions: ['.pkl', '.pickle']
  }
];

export interface IPullRequest {
  /** `group/name`. */
  model: string;
  /** A version, an alias or `latest`. */
  ref: string;
  /** `metadata.framework` of the card. */
  framework?: string;
  /** Paths of the version's files, used to pick the file the loader opens. */
  files?: string[];
  /** The version `ref` resolved to: the inserted code pins it. */
  version?: string;
}

const DESCRIPTOR = /^models\/([^/]+)\/modelreg\.json$/;

/** Variables of the models saved with a descriptor, in file order. */
export function describedModels(files: string[]): string[] {
  return files
    .map(f => DESCRIPTOR.exec(f)?.[1])
    .filter((v): v is string => !!v);
}

/** A Python identifier for a model variable (it came from the notebook, but may be anything). */
function identifier(name: string): string {
  const cleaned = name.replace(/\W/g, '_');
  return /^\d/.test(cleaned) ? `_${cleaned}` : cleaned || 'model';
}

function pythonString(value: string): string {
  return JSON.stringify(value);
}

/** The Python source of the inserted cell. */
export function pullSnippet(request: IPullRequest): string {
  const pinned = request.version ?? request.ref;
  const spec = `${request.model}@${pinned}`;
  const comment =
    pinned !== request.ref ? `  # ${request.model}@${request.ref}` : '';
  const described = describedModels(request.files ?? []);
  if (described.length === 1) {
    return [
      'import modelreg',
      '',
      `model = modelreg.load(${pythonString(spec)})${comment}`
    ].join('\n');
  }
  if (described.length > 1) {
    return [
      'import modelreg',
      '',
      ...described.map(
        v =>
          `${identifier(v)} = modelreg.load(${pythonString(spec)}, variable=${pythonString(v)})${comment}`
      )
    ].join('\n');
  }
  const lines = [
    'import modelreg',
    '',
    `path = modelreg.pull(${pythonString(spec)})${comment}`
  ];
  const files = request.files ?? [];
  const hasFileFor = (l: (typeof LOADERS)[number]) =>
    files.some(f => l.extensions.some(ext => f.toLowerCase().endsWith(ext)));
  // The card's framework decides; without one, a model file whose extension is unambiguous does.
  const loader =
    LOADERS.find(l => l.match.test((request.framework ?? '').trim())) ??
    (request.framework ? undefined : LOADERS.find(hasFileFor));
  if (!loader) {
    return lines.join('\n');
  }
  const file = files.find(f =>
    loader.extensions.some(ext => f.toLowerCase().endsWith(ext))
  );
  // modelreg.pull returns the local snapshot folder; join the model file to it when known.
  const target = file ? `Path(path) / ${pythonString(file)}` : 'path';
  return [
    'import modelreg',
    ...(file ? ['from pathlib import Path'] : []),
    loader.imports,
    '',
    `path = modelreg.pull(${pythonString(spec)})${comment}`,
    loader.load.split('{file}').join(target)
  ].join('\n');
}
