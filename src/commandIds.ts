/** Ids of every command the extension registers. */
export namespace CommandIDs {
  export const openPanel = 'modelreg:open-panel';
  export const refresh = 'modelreg:refresh';
  export const openModel = 'modelreg:open-model';
  export const logCandidate = 'modelreg:log-candidate';
  export const promote = 'modelreg:promote';
  export const pull = 'modelreg:pull-into-notebook';
  export const compare = 'modelreg:compare';
  export const openVersion = 'modelreg:open-version';
  export const openCandidate = 'modelreg:open-candidate';
  export const openRuns = 'modelreg:open-runs-table';
  export const openSnapshot = 'modelreg:open-notebook-snapshot';
  export const moveAlias = 'modelreg:move-alias';
  export const deleteAlias = 'modelreg:delete-alias';
  export const yank = 'modelreg:yank';
  export const recordDeployment = 'modelreg:record-deployment';
  export const updateDeployment = 'modelreg:update-deployment';
  export const rollbackAlias = 'modelreg:rollback-alias';
  export const deleteCandidate = 'modelreg:delete-candidate';
  export const createModel = 'modelreg:create-model';
  export const manageMembers = 'modelreg:manage-members';
  export const manageTokens = 'modelreg:manage-tokens';
}
