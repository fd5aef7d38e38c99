/**
 * What a token may do. Each scope includes the ones before it: `write` can read, `admin` can
 * write. `admin` only matters for instance admins (user and other users' token administration).
 */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Scope, number> = { read: 0, write: 1, admin: 2 };

export function parseScopes(text: string): Scope[] {
  return text
    .split(',')
    .map(s => s.trim())
    .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
}

export function formatScopes(scopes: readonly Scope[]): string {
  return SCOPES.filter(s => scopes.includes(s)).join(',');
}

/** The highest scope held, which decides what the token may do. */
function level(scopes: readonly Scope[]): number {
  return Math.max(-1, ...scopes.map(s => RANK[s]));
}

export function grants(scopes: readonly Scope[], needed: Scope): boolean {
  return level(scopes) >= RANK[needed];
}

/** True when `wanted` asks for nothing beyond `held` (a token never mints a stronger one). */
export function within(
  wanted: readonly Scope[],
  held: readonly Scope[]
): boolean {
  return level(wanted) <= level(held);
}
