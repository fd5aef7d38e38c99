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
export const NAME_MAX_LENGTH = 100;
export const NAME_RE = new RegExp(
  `^[A-Za-z0-9][A-Za-z0-9._-]{0,${NAME_MAX_LENGTH - 1}}$`
);

/** Why `name` is not a valid name (in the user's words), or null when it is. */
export function nameProblem(name: string): string | null {
  if (NAME_RE.test(name)) {
    return null;
  }
  if (name.length > NAME_MAX_LENGTH) {
    return `"${name.slice(0, 20)}…" is ${name.length} characters long; names have at most ${NAME_MAX_LENGTH}`;
  }
  return `"${name}" may use only letters, digits, ".", "_" and "-", and must start with a letter or digit`;
}
