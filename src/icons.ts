/** The extension's icons (theme-aware through the jp-icon3 class in the SVGs). */
import { LabIcon } from '@jupyterlab/ui-components';

import registrySvg from '../style/icons/registry.svg';
import logCandidateSvg from '../style/icons/log-candidate.svg';
import lockSvg from '../style/icons/lock.svg';

export const registryIcon = new LabIcon({
  name: 'jupyterlab-modelreg:registry',
  svgstr: registrySvg
});

export const logCandidateIcon = new LabIcon({
  name: 'jupyterlab-modelreg:log-candidate',
  svgstr: logCandidateSvg
});

/** Shown on locked versions and promoted candidates. */
export const lockIcon = new LabIcon({
  name: 'jupyterlab-modelreg:lock',
  svgstr: lockSvg
});
