import type { Db, GroupRow, ModelRow, UserRow } from './db/database';
import { ApiError, notFound } from './errors';
import { findGroup, roleIn } from './repos/groups';
import { findModel } from './repos/models';
import { findUserByName } from './repos/users';
import { atLeast, type Role } from './domain/roles';

/** The authenticated user, or null for anonymous requests. */
export type Caller = UserRow | null;

export interface GroupAccess {
  group: GroupRow;
  /** The caller's role; instance admins act as owners everywhere. Null: not a member. */
  role: Role | null;
}

/** Private groups answer 404 to non-members exactly like missing ones, so existence does not leak. */
export async function groupAccess(
  db: Db,
  caller: Caller,
  groupName: string
): Promise<GroupAccess> {
  const group = await findGroup(db, groupName);
  if (!group) {
    throw notFound(`group "${groupName}"`);
  }
  const role: Role | null = caller
    ? caller.is_admin
      ? 'owner'
      : await roleIn(db, group.id, caller.id)
    : null;
  if (group.visibility !== 'public' && !role) {
    throw notFound(`group "${groupName}"`);
  }
  return { group, role };
}

export function requireRole(
  access: GroupAccess,
  caller: Caller,
  min: Role,
  action: string
): void {
  if (!caller) {
    throw new ApiError(
      'UNAUTHENTICATED',
      `${action} needs a token: send "Authorization: Bearer <token>"`
    );
  }
  if (!atLeast(access.role, min)) {
    const have = access.role
      ? `your role is ${access.role}`
      : 'you are not a member';
    throw new ApiError(
      'FORBIDDEN',
      `${action} needs the ${min} role or higher in group "${access.group.name}"; ${have}. Ask a maintainer of the group.`
    );
  }
}

export interface ModelAccess extends GroupAccess {
  model: ModelRow;
}

export async function modelAccess(
  db: Db,
  caller: Caller,
  groupName: string,
  modelName: string
): Promise<ModelAccess> {
  const access = await groupAccess(db, caller, groupName);
  const model = await findModel(db, access.group.id, modelName);
  if (!model) {
    throw notFound(`model "${groupName}/${modelName}"`);
  }
  return { ...access, model };
}

/** The caller's access to the model a route's `/models/:group/:model/...` path names. */
export function routeModelAccess(
  app: { db: Db },
  request: { caller: Caller; params: { group: string; model: string } }
): Promise<ModelAccess> {
  return modelAccess(
    app.db,
    request.caller,
    request.params.group,
    request.params.model
  );
}

export function requireUser(caller: Caller, action: string): UserRow {
  if (!caller) {
    throw new ApiError(
      'UNAUTHENTICATED',
      `${action} needs a token: send "Authorization: Bearer <token>"`
    );
  }
  return caller;
}

/**
 * The user `username` for a route about a user's own things (tokens, invitations): the caller
 * themselves, or anyone for the instance admin. `own` names those things in the refusal.
 */
export async function selfOrAdmin(
  db: Db,
  caller: Caller,
  username: string,
  action: string,
  own: string
): Promise<UserRow> {
  const user = requireUser(caller, action);
  if (!user.is_admin && user.username !== username) {
    throw new ApiError(
      'FORBIDDEN',
      `you can manage only your own ${own} (you are "${user.username}"); an instance admin's admin-scoped token manages anyone's`
    );
  }
  const target =
    user.username === username ? user : await findUserByName(db, username);
  if (!target) {
    throw notFound(`user "${username}"`);
  }
  return target;
}
