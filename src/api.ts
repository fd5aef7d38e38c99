/**
 * The one HTTP chokepoint. Every registry call goes through `requestAPI()`, which targets the Jupyter
 * server extension's proxy (`<base>/modelreg/...`), attaches Jupyter's own credentials (token header
 * and XSRF header; the registry token stays on the server) and turns any failure into a
 * `ModelregError` with the server's code and message. Endpoint helpers below never catch.
 */
import axios, { AxiosError, Method } from 'axios';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ErrorCode, ModelregError, RegistryErrorCode } from './errors';
import {
  IActivity,
  IAlias,
  IArtifact,
  ICandidate,
  ICompareResult,
  IDeployment,
  IDeploymentDetail,
  IMetricPoint,
  IModel,
  IModelMetadata,
  ICandidateQuery,
  IPage,
  IPromoteRequest,
  IRegistryStatus,
  IVersion,
  IVersionList
} from './registryTypes';

export interface IRequestOptions {
  method?: Method;
  /** JSON body. */
  body?: unknown;
  /** Query parameters; undefined, null and '' values are left out. */
  params?: { [key: string]: string | number | boolean | null | undefined };
  /** Jupyter server settings; defaults to `ServerConnection.makeSettings()`. */
  settings?: ServerConnection.ISettings;
}

let defaultSettings: ServerConnection.ISettings | null = null;

/** Use these Jupyter server settings for every call that does not pass its own. */
export function setServerSettings(settings: ServerConnection.ISettings): void {
  defaultSettings = settings;
}

function serverSettings(): ServerConnection.ISettings {
  if (!defaultSettings) {
    defaultSettings = ServerConnection.makeSettings();
  }
  return defaultSettings;
}

function xsrfToken(): string | null {
  if (typeof document === 'undefined') {
    return null;
  }
  const match = document.cookie.match('\\b_xsrf=([^;]*)\\b');
  return match ? decodeURIComponent(match[1]) : null;
}

/** Headers Jupyter needs on every request to its own API. */
export function jupyterHeaders(settings: ServerConnection.ISettings): {
  [key: string]: string;
} {
  const headers: { [key: string]: string } = {};
  if (settings.token) {
    headers['Authorization'] = `token ${settings.token}`;
  }
  const xsrf = xsrfToken();
  if (xsrf) {
    headers['X-XSRFToken'] = xsrf;
  }
  return headers;
}

/** The absolute URL of a proxy route, e.g. `api/v1/models`. */
export function proxyUrl(
  path: string,
  settings: ServerConnection.ISettings = serverSettings()
): string {
  return URLExt.join(settings.baseUrl, 'modelreg', path);
}

/** Turns whatever axios threw into a ModelregError carrying the server's code and message. */
export function toModelregError(error: unknown): ModelregError {
  if (error instanceof ModelregError) {
    return error;
  }
  const axiosError = error as AxiosError<any>;
  const response = axiosError?.response;
  if (!response) {
    return new ModelregError(
      'NETWORK_ERROR',
      `Could not reach the Jupyter server (${axiosError?.message ?? String(error)}). Check that JupyterLab is still running, then retry.`
    );
  }
  const data = response.data;
  const body = typeof data === 'string' ? safeJson(data) : data;
  if (body?.error?.code) {
    return new ModelregError(
      // The registry's codes, or the Jupyter proxy's own (REGISTRY_UNREACHABLE, ...).
      String(body.error.code) as ErrorCode,
      String(body.error.message ?? ''),
      response.status
    );
  }
  // Jupyter's own API errors look like {"message": ..., "reason": ...}.
  const message =
    body?.message ??
    `The request failed with HTTP ${response.status} ${response.statusText ?? ''}`.trim();
  return new ModelregError(
    statusCode(response.status),
    String(message),
    response.status
  );
}

function statusCode(status: number): RegistryErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    default:
      return status >= 500 ? 'INTERNAL' : 'VALIDATION_ERROR';
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function cleanParams(params: IRequestOptions['params']): {
  [key: string]: string | number | boolean;
} {
  const out: { [key: string]: string | number | boolean } = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Calls a route of the server extension (`path` is relative to `<base>/modelreg/`).
 *
 * @throws {ModelregError} with the registry's code (e.g. `VERSION_LOCKED`), the proxy's
 * (`REGISTRY_UNREACHABLE`, `MODELREG_NOT_CONFIGURED`) or `NETWORK_ERROR`.
 */
export async function requestAPI<T>(
  path: string,
  options: IRequestOptions = {}
): Promise<T> {
  const settings = options.settings ?? serverSettings();
  try {
    const response = await axios.request<T>({
      url: proxyUrl(path, settings),
      method: options.method ?? 'GET',
      data: options.body,
      params: cleanParams(options.params),
      headers: { Accept: 'application/json', ...jupyterHeaders(settings) }
    });
    return response.data;
  } catch (error) {
    throw toModelregError(error);
  }
}

const enc = encodeURIComponent;

/** `api/v1/models/<group>/<name>` for a full name `group/name`. */
export function modelPath(fullName: string): string {
  const [group, ...rest] = fullName.split('/');
  return `api/v1/models/${enc(group)}/${enc(rest.join('/'))}`;
}

/** Encodes each segment of an artifact path, keeping the slashes. */
export function artifactPath(path: string): string {
  return path.split('/').map(enc).join('/');
}

/** Typed helpers over `requestAPI`, one per registry route the extension uses. */
export namespace registry {
  export function status(): Promise<IRegistryStatus> {
    return requestAPI<IRegistryStatus>('status');
  }

  export function groups(): Promise<{
    items: { name: string; role: string }[];
  }> {
    return requestAPI('api/v1/groups');
  }

  /** Creates a group; its creator becomes its owner. */
  export function createGroup(name: string): Promise<{ name: string }> {
    return requestAPI('api/v1/groups', { method: 'POST', body: { name } });
  }

  export function listModels(query: {
    q?: string;
    group?: string;
    cursor?: string | null;
    limit?: number;
  }): Promise<IPage<IModel>> {
    return requestAPI<IPage<IModel>>('api/v1/models', { params: query });
  }

  export function getModel(fullName: string): Promise<IModel> {
    return requestAPI<IModel>(modelPath(fullName));
  }

  export function updateModel(
    fullName: string,
    change: { description?: string; metadata?: IModelMetadata }
  ): Promise<IModel> {
    return requestAPI<IModel>(modelPath(fullName), {
      method: 'PATCH',
      body: change
    });
  }

  export function listCandidates(
    fullName: string,
    query: ICandidateQuery & {
      cursor?: string | null;
      limit?: number;
      order_by?: string;
    } = {}
  ): Promise<IPage<ICandidate>> {
    return requestAPI<IPage<ICandidate>>(`${modelPath(fullName)}/candidates`, {
      params: query
    });
  }

  export function getCandidate(
    fullName: string,
    iid: number
  ): Promise<ICandidate> {
    return requestAPI<ICandidate>(`${modelPath(fullName)}/candidates/${iid}`);
  }

  /** Ends a candidate failed with `reason` (an upload whose kernel was lost). */
  export function failCandidate(
    fullName: string,
    iid: number,
    reason: string
  ): Promise<ICandidate> {
    return requestAPI<ICandidate>(`${modelPath(fullName)}/candidates/${iid}`, {
      method: 'PATCH',
      body: { status: 'failed', status_reason: reason }
    });
  }

  export async function candidateFiles(
    fullName: string,
    iid: number
  ): Promise<IArtifact[]> {
    // A manifest is one page (next_cursor null).
    const page = await requestAPI<IPage<IArtifact>>(
      `${modelPath(fullName)}/candidates/${iid}/artifacts`
    );
    return page.items;
  }

  export function listVersions(fullName: string): Promise<IVersionList> {
    return requestAPI<IVersionList>(`${modelPath(fullName)}/versions`);
  }

  export function getVersion(
    fullName: string,
    version: string
  ): Promise<IVersion> {
    return requestAPI<IVersion>(
      `${modelPath(fullName)}/versions/${enc(version)}`
    );
  }

  /** Promotes a candidate to a locked version. */
  /** Promotes with an explicit `version`, or with `bump`: the server's `next_versions[bump]`. */
  export function promote(
    fullName: string,
    request: IPromoteRequest
  ): Promise<IVersion> {
    return requestAPI<IVersion>(`${modelPath(fullName)}/versions`, {
      method: 'POST',
      body: request
    });
  }

  /** Versions are locked: only their release notes can change. */
  export function updateVersionNotes(
    fullName: string,
    version: string,
    notes: string
  ): Promise<IVersion> {
    return requestAPI<IVersion>(
      `${modelPath(fullName)}/versions/${enc(version)}`,
      {
        method: 'PATCH',
        body: { notes }
      }
    );
  }

  export function listAliases(fullName: string): Promise<IPage<IAlias>> {
    return requestAPI<IPage<IAlias>>(`${modelPath(fullName)}/aliases`);
  }

  /** Every move of an alias, newest first (`version` null: it was removed then). */
  export function aliasHistory(
    fullName: string,
    alias: string
  ): Promise<{
    items: {
      version: string | null;
      previous: string | null;
      actor: string;
      at: string;
    }[];
  }> {
    return requestAPI(`${modelPath(fullName)}/aliases/${enc(alias)}/history`);
  }

  /** Points an alias at a version (maintainer+). */
  export function setAlias(
    fullName: string,
    alias: string,
    version: string
  ): Promise<IAlias> {
    return requestAPI<IAlias>(`${modelPath(fullName)}/aliases/${enc(alias)}`, {
      method: 'PUT',
      body: { version }
    });
  }

  export function listDeployments(
    fullName: string
  ): Promise<IPage<IDeployment>> {
    return requestAPI<IPage<IDeployment>>(`${modelPath(fullName)}/deployments`);
  }

  export function getDeployment(
    fullName: string,
    id: number
  ): Promise<IDeploymentDetail> {
    return requestAPI<IDeploymentDetail>(
      `${modelPath(fullName)}/deployments/${id}`
    );
  }

  export function activity(
    fullName: string,
    query: { cursor?: string | null; limit?: number } = {}
  ): Promise<IPage<IActivity>> {
    return requestAPI<IPage<IActivity>>(`${modelPath(fullName)}/activity`, {
      params: query
    });
  }

  export function metricHistory(
    fullName: string,
    iid: number,
    key: string
  ): Promise<{ key: string; history: IMetricPoint[] }> {
    return requestAPI(
      `${modelPath(fullName)}/candidates/${iid}/metrics/${enc(key)}`
    );
  }

  /** Compares candidates (`c:3`) and versions (`v:1.2.0`) of one model. */
  export function compare(
    fullName: string,
    refs: string[]
  ): Promise<ICompareResult> {
    return requestAPI<ICompareResult>(`${modelPath(fullName)}/compare`, {
      params: { refs: refs.join(',') }
    });
  }

  /** The browser URL that downloads a stored file through the proxy (streamed, never buffered). */
  export function downloadUrl(
    fullName: string,
    owner: { candidate: number } | { version: string },
    path: string
  ): string {
    const where =
      'candidate' in owner
        ? `candidates/${owner.candidate}`
        : `versions/${enc(owner.version)}`;
    return proxyUrl(
      `${modelPath(fullName)}/${where}/artifacts/${artifactPath(path)}`
    );
  }
}
