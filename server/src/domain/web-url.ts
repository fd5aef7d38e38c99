import { ApiError } from '../errors';

/**
 * Links the registry stores and the panel renders (CI job, deployment) must be http(s): a
 * "javascript:" or "data:" URL would run in the page of whoever clicks it.
 */
export function assertWebUrl(value: unknown, where: string): void {
  if (value === undefined || value === null || value === '') {
    return;
  }
  let protocol = '';
  try {
    protocol = new URL(String(value)).protocol;
  } catch {
    /* not a URL at all */
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ApiError(
      'VALIDATION_ERROR',
      `${where} must be an absolute http:// or https:// URL, got "${String(value).slice(0, 200)}"`
    );
  }
}

/** Every "...url" field of provenance (ci.job_url, ci.project_url, ...), up to two levels deep. */
export function assertProvenanceUrls(
  provenance: Record<string, unknown>
): void {
  const visit = (value: unknown, where: string, depth: number) => {
    if (
      !value ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      depth > 2
    ) {
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      if (/url$/i.test(key) && (typeof child === 'string' || child === null)) {
        assertWebUrl(child, `${where}.${key}`);
      } else {
        visit(child, `${where}.${key}`, depth + 1);
      }
    }
  };
  visit(provenance, 'provenance', 1);
}
