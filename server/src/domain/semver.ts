import { ApiError } from '../errors';

/** SemVer 2.0.0 (https://semver.org), ordered by precedence, never as strings. */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
  build: string;
}

// The official regular expression from semver.org, without the optional leading "v".
const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function parseSemver(text: string): SemVer | null {
  const m = SEMVER_RE.exec(text);
  if (!m || text.length > 128) {
    return null;
  }
  const nums = [m[1], m[2], m[3]].map(Number);
  if (nums.some(n => !Number.isSafeInteger(n))) {
    return null;
  }
  return {
    major: nums[0],
    minor: nums[1],
    patch: nums[2],
    prerelease: m[4] ? m[4].split('.') : [],
    build: m[5] ?? ''
  };
}

export function requireSemver(text: string): SemVer {
  const v = parseSemver(text);
  if (!v) {
    throw new ApiError(
      'INVALID_SEMVER',
      `"${text}" is not a SemVer 2.0.0 version such as 1.2.0 or 2.0.0-rc.1`
    );
  }
  return v;
}

/** The version without build metadata: equal keys have equal precedence. */
export function precedenceKey(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease.length ? '-' + v.prerelease.join('.') : ''}`;
}

export function formatSemver(v: SemVer): string {
  return precedenceKey(v) + (v.build ? '+' + v.build : '');
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) {
    return Number(a) - Number(b) || 0;
  }
  if (an) {
    return -1;
  } // numeric identifiers have lower precedence than alphanumeric ones
  if (bn) {
    return 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when a < b, by SemVer precedence (build metadata ignored). */
export function compareSemver(a: SemVer, b: SemVer): number {
  const d = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (d) {
    return Math.sign(d);
  }
  if (!a.prerelease.length && !b.prerelease.length) {
    return 0;
  }
  if (!a.prerelease.length) {
    return 1;
  } // a release outranks its pre-releases
  if (!b.prerelease.length) {
    return -1;
  }
  const n = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(a.prerelease[i], b.prerelease[i]);
    if (c) {
      return Math.sign(c);
    }
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

export function bumpSemver(
  from: SemVer | null,
  part: 'major' | 'minor' | 'patch'
): SemVer {
  const base = from ?? {
    major: 0,
    minor: 0,
    patch: 0,
    prerelease: [],
    build: ''
  };
  // Bumping a pre-release of x.y.z to its part releases x.y.z itself, as `npm version` does.
  if (base.prerelease.length) {
    if (
      part === 'patch' ||
      (part === 'minor' && base.patch === 0) ||
      (part === 'major' && base.patch === 0 && base.minor === 0)
    ) {
      return { ...base, prerelease: [], build: '' };
    }
  }
  if (part === 'major') {
    return {
      major: base.major + 1,
      minor: 0,
      patch: 0,
      prerelease: [],
      build: ''
    };
  }
  if (part === 'minor') {
    return {
      major: base.major,
      minor: base.minor + 1,
      patch: 0,
      prerelease: [],
      build: ''
    };
  }
  return {
    major: base.major,
    minor: base.minor,
    patch: base.patch + 1,
    prerelease: [],
    build: ''
  };
}
