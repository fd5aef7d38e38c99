/**
 * A file picker inside the Log dialog. JupyterLab queues dialogs, so a second dialog (its own
 * FileDialog) would only open after the Log dialog closed and its picks would be lost; this picker
 * lives in the form instead. It browses the notebook's folder and below: the kernel attaches files
 * relative to that folder.
 */
import * as React from 'react';
import { TranslationBundle } from '@jupyterlab/translation';
import { fileIcon, folderIcon } from '@jupyterlab/ui-components';

/** One file or folder, its path relative to the notebook's folder (folders end with `/`). */
export interface IFolderEntry {
  name: string;
  path: string;
  directory: boolean;
}

export interface IFilePickerProps {
  trans: TranslationBundle;
  /** Lists a folder relative to the notebook's folder (`''` is the notebook's folder itself). */
  listFolder: (folder: string) => Promise<IFolderEntry[]>;
  /** Paths already chosen: shown ticked and not offered again. */
  chosen: string[];
  /** Adds the ticked paths to the form. */
  onAdd: (paths: string[]) => void;
  onClose: () => void;
}

/** `a/b/` → [`''`, `a/`, `a/b/`], for the breadcrumbs. */
function crumbs(folder: string): string[] {
  const parts = folder.split('/').filter(Boolean);
  return ['', ...parts.map((_, i) => `${parts.slice(0, i + 1).join('/')}/`)];
}

export function FilePicker(props: IFilePickerProps): JSX.Element {
  const { trans, listFolder } = props;
  const [folder, setFolder] = React.useState('');
  const [entries, setEntries] = React.useState<IFolderEntry[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [ticked, setTicked] = React.useState<string[]>([]);

  React.useEffect(() => {
    let current = true;
    setEntries(null);
    setError(null);
    listFolder(folder).then(
      found => current && setEntries(found),
      (e: Error) => current && setError(e.message)
    );
    return () => {
      current = false;
    };
  }, [folder, listFolder]);

  function toggle(path: string, on: boolean): void {
    setTicked(on ? [...ticked, path] : ticked.filter(p => p !== path));
  }

  function onAdd(): void {
    props.onAdd(ticked);
    setTicked([]);
  }

  return (
    <div className="jp-modelreg-file-picker" data-testid="modelreg-file-picker">
      <nav className="jp-modelreg-file-crumbs" aria-label={trans.__('Folder')}>
        {crumbs(folder).map(path => (
          <button
            key={path}
            type="button"
            className="jp-modelreg-link-button"
            onClick={() => setFolder(path)}
            disabled={path === folder}
          >
            {path === ''
              ? trans.__('notebook folder')
              : path.split('/').filter(Boolean).pop()}
          </button>
        ))}
      </nav>
      <ul className="jp-modelreg-file-entries" role="list">
        {error && <li className="jp-modelreg-invalid">{error}</li>}
        {!error && entries === null && (
          <li className="jp-modelreg-hint">{trans.__('Loading…')}</li>
        )}
        {entries?.length === 0 && (
          <li className="jp-modelreg-hint">
            {trans.__('This folder is empty.')}
          </li>
        )}
        {entries?.map(entry => {
          const chosen = props.chosen.includes(entry.path);
          return (
            <li key={entry.path} data-testid="modelreg-file-entry">
              <label className="jp-modelreg-check">
                <input
                  type="checkbox"
                  aria-label={trans.__('Attach %1', entry.path)}
                  checked={chosen || ticked.includes(entry.path)}
                  disabled={chosen}
                  onChange={e => toggle(entry.path, e.target.checked)}
                />
                {entry.directory ? (
                  <folderIcon.react tag="span" />
                ) : (
                  <fileIcon.react tag="span" />
                )}
              </label>
              {entry.directory ? (
                <button
                  type="button"
                  className="jp-modelreg-link-button"
                  title={trans.__('Open %1', entry.name)}
                  onClick={() => setFolder(entry.path)}
                >
                  {entry.name}/
                </button>
              ) : (
                <span title={entry.path}>{entry.name}</span>
              )}
            </li>
          );
        })}
      </ul>
      <div className="jp-modelreg-row">
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept"
          data-testid="modelreg-file-picker-add"
          disabled={ticked.length === 0}
          onClick={onAdd}
        >
          {ticked.length
            ? trans._n('Add %1 item', 'Add %1 items', ticked.length)
            : trans.__('Add')}
        </button>
        <button type="button" className="jp-mod-styled" onClick={props.onClose}>
          {trans.__('Done')}
        </button>
      </div>
    </div>
  );
}
