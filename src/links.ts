/**
 * The URL when it is an absolute http(s) link, else null: links from the registry (CI jobs,
 * deployments) are rendered as anchors only then, so a stored "javascript:" URL stays text.
 */
export function webUrl(value: string | null | undefined): string | null {
  if (!value) {
    return null;
  }
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:' ? value : null;
  } catch {
    return null;
  }
}
