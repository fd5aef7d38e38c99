/**
 * SemVer 2.0.0 (https://semver.org) through the `semver` package: parsing, precedence and bumps.
 * Versions are ordered by precedence, never as strings.
 */
import semver from 'semver';

import { ApiError } from '../errors';
import type { NextVersions } from '../schemas/objects';

/** A parsed version; `build` is the metadata after `+`, without it. */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
  build: string;
}

/** Longer versions are refused before parsing (they also cannot be a column key). */
const MAX_LENGTH = 128;

/**
 * The version, or null when `text` is not exactly SemVer 2.0.0. `semver` alone would accept a
 * leading "v" or "=" and surrounding spaces, so the canonical form must give back `text` itself.
 */
export function parseSemver(text: string): SemVer | null {
  if (text.length > MAX_LENGTH) {
    return null;
  }
  const parsed = semver.parse(text);
  if (!parsed) {
    return null;
  }
  const version: SemVer = {
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: parsed.prerelease.map(String),
    build: parsed.build.join('.')
  };
  return formatSemver(version) === text ? version : null;
}

export function requireSemver(text: string): SemVer {
  const version = parseSemver(text);
  if (!version) {
    throw new ApiError(
      'INVALID_SEMVER',
      `"${text}" is not a SemVer 2.0.0 version such as 1.2.0 or 2.0.0-rc.1`
    );
  }
  return version;
}

/** The version without build metadata: equal keys have equal precedence. */
export function precedenceKey(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease.length ? '-' + v.prerelease.join('.') : ''}`;
}

export function formatSemver(v: SemVer): string {
  return precedenceKey(v) + (v.build ? '+' + v.build : '');
}

/** -1 when a < b, 0 when equal, 1 when a > b, by SemVer precedence (build metadata ignored). */
export function compareSemver(a: SemVer, b: SemVer): number {
  return semver.compare(precedenceKey(a), precedenceKey(b));
}

/** compareSemver for version strings already known valid (stored ones), parsing each once. */
export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b);
}

export type BumpPart = 'major' | 'minor' | 'patch';

/**
 * The next `part` version after `from`, as `npm version` does: bumping a pre-release of x.y.z to
 * the part it pre-releases gives x.y.z itself (2.0.0-rc.1 → 2.0.0 for major, minor and patch).
 * With no version yet, it counts from 0.0.0: 1.0.0, 0.1.0, 0.0.1.
 */
export function bumpSemver(from: SemVer | null, part: BumpPart): SemVer {
  const base = from ? precedenceKey(from) : '0.0.0';
  return parseSemver(semver.inc(base, part)!)!;
}

/** The next versions after `highest`, the highest version ever used (null when there is none). */
export function nextVersions(highest: SemVer | null): NextVersions {
  return {
    major: formatSemver(bumpSemver(highest, 'major')),
    minor: formatSemver(bumpSemver(highest, 'minor')),
    patch: highest && formatSemver(bumpSemver(highest, 'patch'))
  };
}
