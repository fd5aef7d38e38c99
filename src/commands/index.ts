/** Registers every command, one feature per module. */
import { addCompareCommand } from './compare';
import { ICommandDeps } from './deps';
import { addLogCandidateCommand } from './logCandidate';
import { addPanelCommands } from './panel';
import { addPromoteCommand } from './promote';
import { addPullCommand } from './pull';

export { ICommandDeps } from './deps';

export function addCommands(deps: ICommandDeps): void {
  addPanelCommands(deps);
  addLogCandidateCommand(deps);
  addPromoteCommand(deps);
  addPullCommand(deps);
  addCompareCommand(deps);
}
