/**
 * The model card's routes (GET/PUT .../card, revisions, card.md) and the registry actions of the
 * panel (aliases, yank, deployments, candidates, models, members), over the one chokepoint
 * `requestAPI()`. The shapes follow the server's OpenAPI document (schemas `Card`, `Version`).
 */
import { modelPath, proxyUrl, requestAPI } from './api';
import {
  IAlias,
  IDeployment,
  IModel,
  IPage,
  IVersion,
  Role,
  type GetAnswer,
  type Schemas
} from './registryTypes';

/**
 * A section key such as `intended_use` or `risks`. The server decides the keys and their order:
 * the `sections` object of a card lists every key, in reading order (see `sectionKeys`).
 */
export type CardSectionKey = string;
export type ICardSections = Record<CardSectionKey, string>;

/** The keys of a card's sections, in the server's reading order. */
export function sectionKeys(card: {
  sections: ICardSections;
}): CardSectionKey[] {
  return Object.keys(card.sections);
}

export type ICardCompleteness = ICardView['completeness'];

/**
 * GET .../card and .../card/revisions/{n}. The sections are read by key in the card's own order
 * (see `sectionKeys`), so the panel does not hard-code the server's key list.
 */
export type ICardView = Omit<Schemas['Card'], 'sections'> & {
  sections: ICardSections;
};

export type ICardRevision =
  GetAnswer<'/api/v1/models/{group}/{model}/card/revisions'>['items'][number];

/** A version as GET .../versions/{v} answers, with the card revision it froze. */
export type IVersionDetail = IVersion;

/**
 * A healthy range of one live metric, written on the card: a serving deployment whose newest value
 * leaves it becomes `degraded` (and the registry raises `deployment.updated`).
 */
export interface IThreshold {
  metric: string;
  min?: number;
  max?: number;
  /** Only deployments to this environment; all when absent. */
  environment?: string;
}

export type IMember =
  GetAnswer<'/api/v1/groups/{group}/members'>['items'][number];

const enc = encodeURIComponent;

export namespace cardApi {
  export function getCard(fullName: string): Promise<ICardView> {
    return requestAPI<ICardView>(`${modelPath(fullName)}/card`);
  }

  /**
   * Saves the sections as a new revision.
   *
   * @throws {ModelregError} `CONFLICT` when `base_revision` is no longer current.
   */
  export function saveCard(
    fullName: string,
    change: {
      sections: Partial<ICardSections>;
      description?: string;
      message?: string;
      base_revision?: number;
    }
  ): Promise<ICardView> {
    return requestAPI<ICardView>(`${modelPath(fullName)}/card`, {
      method: 'PUT',
      body: change
    });
  }

  export function revisions(
    fullName: string,
    query: { cursor?: string | null; limit?: number } = {}
  ): Promise<IPage<ICardRevision>> {
    return requestAPI<IPage<ICardRevision>>(
      `${modelPath(fullName)}/card/revisions`,
      { params: query }
    );
  }

  export function revision(
    fullName: string,
    revision: number
  ): Promise<ICardView> {
    return requestAPI<ICardView>(
      `${modelPath(fullName)}/card/revisions/${revision}`
    );
  }

  /** The browser URL of the Hugging Face README of the card (optionally of a version). */
  export function cardMarkdownUrl(fullName: string, version?: string): string {
    const query = version ? `?version=${enc(version)}` : '';
    return proxyUrl(`${modelPath(fullName)}/card.md${query}`);
  }

  export function setRequiredSections(
    group: string,
    keys: CardSectionKey[]
  ): Promise<{ name: string; card_required_sections: CardSectionKey[] }> {
    return requestAPI(`api/v1/groups/${enc(group)}`, {
      method: 'PATCH',
      body: { card_required_sections: keys }
    });
  }

  export function getVersion(
    fullName: string,
    version: string
  ): Promise<IVersionDetail> {
    return requestAPI<IVersionDetail>(
      `${modelPath(fullName)}/versions/${enc(version)}`
    );
  }

  /** Points `alias` at `version` (maintainer+). */
  export function moveAlias(
    fullName: string,
    alias: string,
    version: string
  ): Promise<IAlias> {
    return requestAPI<IAlias>(`${modelPath(fullName)}/aliases/${enc(alias)}`, {
      method: 'PUT',
      body: { version }
    });
  }

  export function deleteAlias(fullName: string, alias: string): Promise<void> {
    return requestAPI<void>(`${modelPath(fullName)}/aliases/${enc(alias)}`, {
      method: 'DELETE'
    });
  }

  export function yank(
    fullName: string,
    version: string,
    reason: string
  ): Promise<IVersionDetail> {
    return requestAPI<IVersionDetail>(
      `${modelPath(fullName)}/versions/${enc(version)}/yank`,
      { method: 'POST', body: { reason } }
    );
  }

  /**
   * Records a new deployment of a version, or (outside production) of a candidate (maintainer+).
   *
   * @throws {ModelregError} `BAD_REQUEST` for a candidate in production.
   */
  export function recordDeployment(
    fullName: string,
    deployment: ({ version: string } | { candidate: number }) & {
      environment: string;
      status: string;
      url?: string | null;
    }
  ): Promise<IDeployment> {
    return requestAPI<IDeployment>(`${modelPath(fullName)}/deployments`, {
      method: 'POST',
      body: deployment
    });
  }

  /**
   * Changes a deployment's status (maintainer+); the server keeps who, when and why.
   *
   * @throws {ModelregError} `CONFLICT` when the lifecycle does not allow the change.
   */
  export function updateDeployment(
    fullName: string,
    id: number,
    change: { status: string; reason?: string }
  ): Promise<IDeployment> {
    return requestAPI<IDeployment>(`${modelPath(fullName)}/deployments/${id}`, {
      method: 'PATCH',
      body: change
    });
  }

  /** The card's monitoring thresholds: healthy ranges of live metrics. */
  export function thresholds(
    fullName: string
  ): Promise<{ items: IThreshold[] }> {
    return requestAPI(`${modelPath(fullName)}/deployment-thresholds`);
  }

  /** Replaces the thresholds (maintainer+). */
  export function setThresholds(
    fullName: string,
    items: IThreshold[]
  ): Promise<{ items: IThreshold[] }> {
    return requestAPI(`${modelPath(fullName)}/deployment-thresholds`, {
      method: 'PUT',
      body: { items }
    });
  }

  export function deleteCandidate(
    fullName: string,
    iid: number
  ): Promise<void> {
    return requestAPI<void>(`${modelPath(fullName)}/candidates/${iid}`, {
      method: 'DELETE'
    });
  }

  export function createModel(
    group: string,
    model: { name: string; description?: string }
  ): Promise<IModel> {
    return requestAPI<IModel>(`api/v1/models/${enc(group)}`, {
      method: 'POST',
      body: model
    });
  }

  export function members(group: string): Promise<{ items: IMember[] }> {
    return requestAPI(`api/v1/groups/${enc(group)}/members`);
  }

  /** A member's role changes at once; a non-member is only invited (`status: 'invited'`). */
  export function setMember(
    group: string,
    username: string,
    role: Role
  ): Promise<IMember & { status?: 'invited' }> {
    return requestAPI(`api/v1/groups/${enc(group)}/members/${enc(username)}`, {
      method: 'PUT',
      body: { role }
    });
  }

  export function removeMember(group: string, username: string): Promise<void> {
    return requestAPI<void>(
      `api/v1/groups/${enc(group)}/members/${enc(username)}`,
      { method: 'DELETE' }
    );
  }
}
