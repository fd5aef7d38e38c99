export const ROLES = [
  'guest',
  'reporter',
  'developer',
  'maintainer',
  'owner'
] as const;
export type Role = (typeof ROLES)[number];

export function roleRank(role: Role | null): number {
  return role ? ROLES.indexOf(role) : -1;
}

export function atLeast(role: Role | null, min: Role): boolean {
  return roleRank(role) >= roleRank(min);
}

/** Names of groups, models, experiments and aliases: URL-safe, no surprises. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
