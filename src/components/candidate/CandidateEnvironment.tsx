/** The kernel, Python, platform and packages a candidate was trained with, as the client recorded them. */
import * as React from 'react';

import { IProvenance } from '../../registryTypes';
import { usePanel } from '../context';
import { FactList } from '../version/VersionFacts';

/** Above this many packages the list starts folded: the facts above it matter more. */
const FOLD_AFTER = 15;

export function CandidateEnvironment(props: {
  provenance: IProvenance | undefined;
}): JSX.Element {
  const { trans } = usePanel();
  const env = props.provenance?.environment;
  const kernel = props.provenance?.kernel;
  const packages = [...(env?.packages ?? [])].sort((a, b) =>
    a.name.localeCompare(b.name)
  );
  const facts: [string, string | undefined][] = [
    [trans.__('Kernel'), kernel?.name],
    [trans.__('Language'), kernel?.language],
    [trans.__('Python'), env?.python],
    [trans.__('Platform'), env?.platform]
  ];
  const shown = facts.filter(([, v]) => v);
  if (!shown.length && !packages.length) {
    return (
      <div className="jp-modelreg-muted">
        {trans.__('No environment recorded.')}
      </div>
    );
  }
  return (
    <>
      {shown.length > 0 && <FactList facts={shown} />}
      {packages.length > 0 && (
        <details
          open={packages.length <= FOLD_AFTER}
          data-testid="modelreg-candidate-packages"
        >
          <summary>
            {trans._n('%1 package', '%1 packages', packages.length)}
          </summary>
          <table className="jp-modelreg-table">
            <thead>
              <tr>
                <th>{trans.__('Package')}</th>
                <th>{trans.__('Version')}</th>
              </tr>
            </thead>
            <tbody>
              {packages.map(p => (
                <tr key={p.name}>
                  <td>{p.name}</td>
                  <td>{p.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </>
  );
}
