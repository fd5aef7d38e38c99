/**
 * The panel's state: registry status, the model list page, the open model card and the compare
 * selection. Fields are private and exposed read-only; every mutation goes through a method that
 * reloads from the registry and emits `changed`, so the React views only ever render this state.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { registry } from './api';
import { BackgroundUploads } from './backgroundUploads';
import { isOutage, ModelregError } from './errors';
import {
  IAlias,
  ICandidate,
  IDeployment,
  IModel,
  IModelMetadata,
  ICandidateQuery,
  IRegistryStatus,
  IVersion
} from './registryTypes';
import { RunColumnStore } from './runColumnStore';
import { DEFAULT_SETTINGS, IModelregSettings } from './settings';

/** Something loaded from the registry: its value, whether it is loading, and the last error. */
export interface ILoadable<T> {
  value: T;
  loading: boolean;
  error: ModelregError | null;
}

function serverExtensionMissing(): ModelregError {
  return new ModelregError(
    'SERVER_EXTENSION_MISSING',
    'The jupyterlab_modelreg server extension is not running in this Jupyter server. Run `pip install jupyterlab_modelreg` (or `pip install -e .` in the modelreg checkout) and `jupyter server extension enable jupyterlab_modelreg`, then restart JupyterLab.',
    404
  );
}

function loadable<T>(value: T): ILoadable<T> {
  return { value, loading: false, error: null };
}

/** The sections of the model card, grouped by what a user does. */
export type CardSection =
  'overview' | 'versions' | 'candidates' | 'files' | 'deployments' | 'activity';

/** Everything the model card shows besides lazily loaded files and activity. */
export interface ICard {
  model: IModel;
  versions: IVersion[];
  candidates: ICandidate[];
  candidatesCursor: string | null;
  /** The filter the candidates list shows (empty: all); kept while the card refreshes. */
  candidateQuery: ICandidateQuery;
  /** Why the last filter was refused (e.g. a malformed expression); the card stays. */
  candidatesError: ModelregError | null;
  aliases: IAlias[];
  deployments: IDeployment[];
}

export class PanelState {
  constructor(
    settings: Partial<IModelregSettings> = {},
    /** The kernels' background uploads, shown in the panel's Uploads section. */
    readonly uploads: BackgroundUploads = new BackgroundUploads()
  ) {
    this._settings = { ...DEFAULT_SETTINGS, ...settings };
  }

  /** The runs table's chosen columns, per model. */
  readonly runColumns = new RunColumnStore();

  /** Emitted after any state change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get settings(): IModelregSettings {
    return this._settings;
  }

  get status(): ILoadable<IRegistryStatus | null> {
    return this._status;
  }

  /**
   * The model list. During an outage it keeps the last list loaded, with the error: the panel shows
   * it marked stale (see `modelsLoadedAt`).
   */
  get models(): ILoadable<IModel[]> {
    return this._models;
  }

  /** When the models shown were loaded; null before the first list arrived. */
  get modelsLoadedAt(): Date | null {
    return this._modelsLoadedAt;
  }

  get query(): string {
    return this._query;
  }

  /** 1-based number of the model list page shown. */
  get page(): number {
    return this._cursors.length;
  }

  get hasNextPage(): boolean {
    return !!this._nextCursor;
  }

  get hasPreviousPage(): boolean {
    return this._cursors.length > 1;
  }

  /** Full name of the open model, or null when the list is shown. */
  get selected(): string | null {
    return this._selected;
  }

  get card(): ILoadable<ICard | null> {
    return this._card;
  }

  /** The card section shown. */
  get section(): CardSection {
    return this._section;
  }

  /** The candidate to scroll to and highlight (after logging one), if any. */
  get highlight(): number | null {
    return this._highlight;
  }

  /** Refs (`c:<iid>` / `v:<version>`) ticked for comparison in the open model. */
  get compareSelection(): ReadonlyArray<string> {
    return this._compare;
  }

  /** Bumped on every reload, so views can refetch their lazily loaded parts. */
  get generation(): number {
    return this._generation;
  }

  updateSettings(settings: Partial<IModelregSettings>): void {
    // The list depends on the page size and the default group: reload it when they change.
    const listChanged =
      (settings.pageSize !== undefined &&
        settings.pageSize !== this._settings.pageSize) ||
      (settings.defaultGroup !== undefined &&
        settings.defaultGroup !== this._settings.defaultGroup);
    this._settings = { ...this._settings, ...settings };
    this._emit();
    if (listChanged && this._status.value?.reachable) {
      void this.search(this._query);
    }
  }

  /** Asks the server extension whether the registry is configured and reachable. */
  async refreshStatus(): Promise<void> {
    this._status = { ...this._status, loading: true };
    this._emit();
    try {
      this._status = loadable<IRegistryStatus | null>(await registry.status());
    } catch (error) {
      const failure = error as ModelregError;
      this._status = {
        value: null,
        loading: false,
        // Jupyter answers 404 for /modelreg/status only when the server extension is not loaded.
        error: failure.status === 404 ? serverExtensionMissing() : failure
      };
    }
    this._emit();
  }

  /** Loads the first page of models matching `query`. */
  async search(query: string): Promise<void> {
    this._query = query;
    this._cursors = [null];
    await this._loadModels();
  }

  async nextPage(): Promise<void> {
    if (this._nextCursor) {
      this._cursors.push(this._nextCursor);
      await this._loadModels();
    }
  }

  async previousPage(): Promise<void> {
    if (this._cursors.length > 1) {
      this._cursors.pop();
      await this._loadModels();
    }
  }

  /** Opens the card of `fullName` (`group/name`), optionally at a section and candidate. */
  async openModel(
    fullName: string,
    options: { section?: CardSection; candidate?: number } = {}
  ): Promise<void> {
    if (this._selected !== fullName) {
      this._compare = [];
      this._card = loadable<ICard | null>(null);
      this._section = 'overview';
    }
    this._selected = fullName;
    this._section = options.section ?? this._section;
    this._highlight = options.candidate ?? null;
    await this._loadCard(true);
  }

  showSection(section: CardSection): void {
    this._section = section;
    this._emit();
  }

  /** Back to the model list. */
  closeModel(): void {
    this._selected = null;
    this._card = loadable<ICard | null>(null);
    this._compare = [];
    this._emit();
  }

  /** Reloads whatever is shown (status, list or card). */
  async refresh(): Promise<void> {
    this._generation++;
    await this.refreshStatus();
    if (this._selected) {
      await this._loadCard(true);
    } else {
      await this._loadModels();
    }
  }

  /** Loads the next page of the open model's candidates. */
  async moreCandidates(): Promise<void> {
    const card = this._card.value;
    if (!card?.candidatesCursor) {
      return;
    }
    try {
      const page = await registry.listCandidates(card.model.full_name, {
        ...card.candidateQuery,
        cursor: card.candidatesCursor,
        limit: this._settings.pageSize
      });
      this._card = loadable<ICard | null>({
        ...card,
        candidates: [...card.candidates, ...page.items],
        candidatesCursor: page.next_cursor ?? null
      });
    } catch (error) {
      this._card = { ...this._card, error: error as ModelregError };
    }
    this._emit();
  }

  /**
   * Shows only the candidates matching `query` (a metric expression, status, pipeline, commit or merge
   * request, searched by the server), from the first page. A refused query keeps the list as it was.
   */
  async filterCandidates(query: ICandidateQuery): Promise<void> {
    const card = this._card.value;
    if (!card) {
      return;
    }
    try {
      const page = await registry.listCandidates(card.model.full_name, {
        ...query,
        limit: this._settings.pageSize
      });
      if (this._card.value?.model.full_name !== card.model.full_name) {
        return;
      }
      this._card = loadable<ICard | null>({
        ...this._card.value,
        candidates: page.items,
        candidatesCursor: page.next_cursor ?? null,
        candidateQuery: query,
        candidatesError: null
      });
    } catch (error) {
      this._card = loadable<ICard | null>({
        ...card,
        candidatesError: error as ModelregError
      });
    }
    this._emit();
  }

  /** Saves the card's markdown and metadata (developer+), then shows the saved card. */
  async saveCard(change: {
    description?: string;
    metadata?: IModelMetadata;
  }): Promise<void> {
    const card = this._card.value;
    if (!card) {
      return;
    }
    const model = await registry.updateModel(card.model.full_name, change);
    this._card = loadable<ICard | null>({ ...card, model });
    this._emit();
  }

  /** Changes the release notes of a version (maintainer+), the only thing a locked version allows. */
  async saveVersionNotes(version: string, notes: string): Promise<void> {
    const card = this._card.value;
    if (!card) {
      return;
    }
    const saved = await registry.updateVersionNotes(
      card.model.full_name,
      version,
      notes
    );
    this._card = loadable<ICard | null>({
      ...card,
      versions: card.versions.map(v =>
        v.version === version ? { ...v, notes: saved.notes } : v
      )
    });
    this._emit();
  }

  /** Ticks or unticks a candidate/version for comparison. */
  toggleCompare(ref: string): void {
    this._compare = this._compare.includes(ref)
      ? this._compare.filter(r => r !== ref)
      : [...this._compare, ref];
    this._emit();
  }

  clearCompare(): void {
    this._compare = [];
    this._emit();
  }

  private async _loadModels(): Promise<void> {
    const cursor = this._cursors[this._cursors.length - 1];
    const request = ++this._modelsRequest;
    this._models = { ...this._models, loading: true };
    this._emit();
    try {
      const page = await registry.listModels({
        q: this._query,
        group: this._settings.defaultGroup,
        cursor,
        limit: this._settings.pageSize
      });
      if (request !== this._modelsRequest) {
        return; // a newer search superseded this one
      }
      this._nextCursor = page.next_cursor ?? null;
      this._models = loadable(page.items);
      this._modelsLoadedAt = new Date();
    } catch (error) {
      if (request !== this._modelsRequest) {
        return;
      }
      this._models = {
        value: isOutage(error) ? this._models.value : [],
        loading: false,
        error: error as ModelregError
      };
    }
    this._emit();
  }

  private async _loadCard(quiet = false): Promise<void> {
    const fullName = this._selected;
    if (!fullName) {
      return;
    }
    if (!quiet || !this._card.value) {
      this._card = { ...this._card, loading: true };
      this._emit();
    }
    const previous = this._card.value;
    const candidateQuery =
      previous?.model.full_name === fullName ? previous.candidateQuery : {};
    try {
      const [model, versions, candidates, aliases, deployments] =
        await Promise.all([
          registry.getModel(fullName),
          registry.listVersions(fullName),
          registry.listCandidates(fullName, {
            ...candidateQuery,
            limit: this._settings.pageSize
          }),
          registry.listAliases(fullName),
          registry.listDeployments(fullName)
        ]);
      if (this._selected !== fullName) {
        return;
      }
      this._card = loadable<ICard | null>({
        model,
        versions: versions.items,
        candidates: candidates.items,
        candidatesCursor: candidates.next_cursor ?? null,
        candidateQuery,
        candidatesError: null,
        aliases: aliases.items,
        deployments: deployments.items
      });
    } catch (error) {
      if (this._selected !== fullName) {
        return;
      }
      this._card = {
        value: this._card.value,
        loading: false,
        error: error as ModelregError
      };
    }
    this._emit();
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _settings: IModelregSettings;
  private _status = loadable<IRegistryStatus | null>(null);
  private _models = loadable<IModel[]>([]);
  private _modelsLoadedAt: Date | null = null;
  private _query = '';
  private _cursors: (string | null)[] = [null];
  private _nextCursor: string | null = null;
  private _modelsRequest = 0;
  private _selected: string | null = null;
  private _card = loadable<ICard | null>(null);
  private _compare: string[] = [];
  private _section: CardSection = 'overview';
  private _highlight: number | null = null;
  private _generation = 0;
}
