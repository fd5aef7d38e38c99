/** Registers every command, one feature per module. */
import { addAccountCommands } from './account';
import { addCandidateCommands } from './candidate';
import { addCompareCommand } from './compare';
import { addDeploymentCommands } from './deploymentActions';
import { ICommandDeps } from './deps';
import { addLogCandidateCommand } from './logCandidate';
import { addPanelCommands } from './panel';
import { addPromoteCommand } from './promote';
import { addPullCommand } from './pull';
import { addRegistryActionCommands } from './registryActions';
import { addVersionCommands } from './version';

export { ICommandDeps } from './deps';

export function addCommands(deps: ICommandDeps): void {
  addPanelCommands(deps);
  addLogCandidateCommand(deps);
  addPromoteCommand(deps);
  addPullCommand(deps);
  addCompareCommand(deps);
  addVersionCommands(deps);
  addCandidateCommands(deps);
  addRegistryActionCommands(deps);
  addDeploymentCommands(deps);
  addAccountCommands(deps);
}
