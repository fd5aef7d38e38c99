/**
 * The account page's registry calls: your own API tokens and group invitations. They go through the
 * one chokepoint, `requestAPI()`; the Jupyter proxy passes them only for its own registry user and
 * creates tokens with the read and write scopes at most.
 */
import { requestAPI } from './api';
import { GetAnswer, IPage } from './registryTypes';

/** A token as listed: never its secret. */
export type IApiToken =
  GetAnswer<'/api/v1/users/{username}/tokens'>['items'][number];
/** A group's pending invitation of the user. */
export type IInvitation =
  GetAnswer<'/api/v1/users/{username}/invitations'>['items'][number];
/** The scopes a token made in JupyterLab can have. */
export type TokenScope = 'read' | 'write';

export interface INewToken {
  name: string;
  /** ISO 8601 date-time, or null for a token that never expires. */
  expires_at: string | null;
  scopes: TokenScope[];
}

const enc = encodeURIComponent;
const userPath = (username: string) => `api/v1/users/${enc(username)}`;

export namespace account {
  export function listTokens(username: string): Promise<IPage<IApiToken>> {
    return requestAPI(`${userPath(username)}/tokens`);
  }

  /** Creates a token; the answer carries its secret, the only time it is shown. */
  export function createToken(
    username: string,
    token: INewToken
  ): Promise<IApiToken & { token: string }> {
    return requestAPI(`${userPath(username)}/tokens`, {
      method: 'POST',
      body: token
    });
  }

  /** Revokes a token: the registry refuses it from then on. */
  export function revokeToken(username: string, id: number): Promise<void> {
    return requestAPI(`${userPath(username)}/tokens/${id}`, {
      method: 'DELETE'
    });
  }

  export function invitations(username: string): Promise<IPage<IInvitation>> {
    return requestAPI(`${userPath(username)}/invitations`);
  }

  /** Accepts or declines a group's invitation (the registry takes the invitee from the token). */
  export function answerInvitation(
    group: string,
    answer: 'accept' | 'decline'
  ): Promise<unknown> {
    return requestAPI(`api/v1/groups/${enc(group)}/invitations/${answer}`, {
      method: 'POST',
      body: {}
    });
  }
}
