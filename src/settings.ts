/** The settings of schema/plugin.json. */
export interface IModelregSettings {
  defaultGroup: string;
  pageSize: number;
  autoRefreshInterval: number;
  pullRunsCell: boolean;
}

export const DEFAULT_SETTINGS: IModelregSettings = {
  defaultGroup: '',
  pageSize: 25,
  autoRefreshInterval: 60,
  pullRunsCell: false
};
