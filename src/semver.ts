/** SemVer helpers for "Promote to version". */

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemver(version: string): boolean {
  return SEMVER.test(version.trim());
}

export interface INextVersions {
  patch: string;
  minor: string;
  major: string;
}

/**
 * The next patch, minor and major versions after the highest existing one.
 * With no version yet, the first release is suggested as 1.0.0 (major), 0.1.0 (minor), 0.0.1 (patch).
 */
export function nextVersions(existing: string[]): INextVersions {
  const parsed = existing
    .map(v => SEMVER.exec(v.trim()))
    .filter((m): m is RegExpExecArray => m !== null && m[4] === undefined)
    .map(
      m =>
        [Number(m[1]), Number(m[2]), Number(m[3])] as [number, number, number]
    )
    .sort((a, b) => b[0] - a[0] || b[1] - a[1] || b[2] - a[2]);
  if (parsed.length === 0) {
    return { patch: '0.0.1', minor: '0.1.0', major: '1.0.0' };
  }
  const [major, minor, patch] = parsed[0];
  return {
    patch: `${major}.${minor}.${patch + 1}`,
    minor: `${major}.${minor + 1}.0`,
    major: `${major + 1}.0.0`
  };
}
