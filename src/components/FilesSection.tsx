/** Files of a version or candidate as a tree with sizes and digests; download only. */
import * as React from 'react';

import { folderIcon } from '@jupyterlab/ui-components';

import { registry } from '../api';
import { formatBytes, shortDigest } from '../format';
import { ICard } from '../panelState';
import { IArtifact } from '../registryTypes';
import { usePanel } from './context';
import { Empty, ErrorMessage, Loading } from './States';
import { useAsync } from './useAsync';

export interface IFilesSectionProps {
  card: ICard;
}

/** A folder of the tree: its subfolders and the files directly in it. */
interface IFolder {
  name: string;
  folders: Map<string, IFolder>;
  files: IArtifact[];
}

export function buildTree(files: IArtifact[]): IFolder {
  const root: IFolder = { name: '', folders: new Map(), files: [] };
  for (const file of files) {
    const parts = file.path.split('/');
    let folder = root;
    for (const part of parts.slice(0, -1)) {
      if (!folder.folders.has(part)) {
        folder.folders.set(part, { name: part, folders: new Map(), files: [] });
      }
      folder = folder.folders.get(part)!;
    }
    folder.files.push(file);
  }
  return root;
}

export function FilesSection(props: IFilesSectionProps): JSX.Element {
  const { trans, model } = usePanel();
  const { versions, candidates, model: info } = props.card;
  const options = [
    ...versions.map(v => ({
      key: `v:${v.version}`,
      label: trans.__('Version %1', v.version)
    })),
    ...candidates.map(c => ({
      key: `c:${c.iid}`,
      label: trans.__('Candidate #%1 %2', c.iid, c.name)
    }))
  ];
  const [owner, setOwner] = React.useState(options[0]?.key ?? '');
  const files = useAsync<IArtifact[]>(async () => {
    if (owner.startsWith('v:')) {
      return versions.find(v => `v:${v.version}` === owner)?.files ?? [];
    }
    if (owner.startsWith('c:')) {
      return registry.candidateFiles(info.full_name, Number(owner.slice(2)));
    }
    return [];
  }, [owner, info.full_name, model.generation]);

  if (options.length === 0) {
    return (
      <Empty>{trans.__('No versions or candidates, so no files yet.')}</Empty>
    );
  }
  const where = owner.startsWith('v:')
    ? { version: owner.slice(2) }
    : { candidate: Number(owner.slice(2)) };

  return (
    <div className="jp-modelreg-files" data-testid="modelreg-files">
      <label className="jp-modelreg-inline-label">
        {trans.__('Files of')}
        <select
          className="jp-mod-styled"
          value={owner}
          onChange={e => setOwner(e.target.value)}
          aria-label={trans.__('Show the files of')}
        >
          {options.map(o => (
            <option key={o.key} value={o.key}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      {files.loading && <Loading label={trans.__('Loading files…')} />}
      {files.error && (
        <ErrorMessage error={files.error} onRetry={files.reload} />
      )}
      {!files.loading && !files.error && (files.value ?? []).length === 0 && (
        <Empty>{trans.__('No files attached.')}</Empty>
      )}
      {!files.loading && files.value && files.value.length > 0 && (
        <ul
          className="jp-modelreg-tree"
          role="tree"
          aria-label={trans.__('Files')}
        >
          <FolderContents
            folder={buildTree(files.value)}
            href={path => registry.downloadUrl(info.full_name, where, path)}
          />
        </ul>
      )}
    </div>
  );
}

interface IFolderContentsProps {
  folder: IFolder;
  href: (path: string) => string;
}

function FolderContents(props: IFolderContentsProps): JSX.Element {
  const { trans } = usePanel();
  const folders = [...props.folder.folders.values()].sort((a, b) =>
    a.name.localeCompare(b.name)
  );
  const files = [...props.folder.files].sort((a, b) =>
    a.path.localeCompare(b.path)
  );
  return (
    <>
      {folders.map(f => (
        <li key={f.name} role="treeitem" aria-expanded="true">
          <details open>
            <summary className="jp-modelreg-folder">
              <folderIcon.react
                tag="span"
                className="jp-modelreg-inline-icon"
              />
              {f.name}
            </summary>
            <ul role="group">
              <FolderContents folder={f} href={props.href} />
            </ul>
          </details>
        </li>
      ))}
      {files.map(file => (
        <li
          key={file.path}
          role="treeitem"
          className="jp-modelreg-file"
          data-testid="modelreg-file"
          data-path={file.path}
        >
          <a
            href={props.href(file.path)}
            download={file.path.split('/').pop()}
            title={trans.__('Download %1', file.path)}
          >
            {file.path.split('/').pop()}
          </a>
          <span className="jp-modelreg-muted">{formatBytes(file.size)}</span>
          <code className="jp-modelreg-digest" title={`sha256:${file.sha256}`}>
            {shortDigest(file.sha256)}
          </code>
        </li>
      ))}
    </>
  );
}
