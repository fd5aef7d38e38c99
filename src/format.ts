/** Small display helpers shared by the views. */

/** `1536` → `1.5 KiB`. */
export function formatBytes(size: number): string {
  if (!Number.isFinite(size)) {
    return '';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${size} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The first 12 hex digits of a sha256, enough to tell files apart at a glance. */
export function shortDigest(sha256: string): string {
  return sha256.slice(0, 12);
}

/** An ISO timestamp as a local date and time (`options` as for `toLocaleString`). */
export function formatDate(
  iso: string | null | undefined,
  options?: Intl.DateTimeFormatOptions
): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, options);
}

/**
 * For table cells, whose full timestamp is their tooltip: the time alone for today, else the date alone.
 * Date and time together made the runs table's widest fixed column, and it widened with the hour
 * ("9:05 AM" / "11:26 AM") until the table no longer fit beside the default sidebar.
 */
export function formatShortDate(
  iso: string | null | undefined,
  now: Date = new Date()
): string {
  const today = !!iso && new Date(iso).toDateString() === now.toDateString();
  return formatDate(
    iso,
    today ? { timeStyle: 'short' } : { dateStyle: 'short' }
  );
}

/** A metric value with up to 4 significant decimals. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  return Number.isInteger(value)
    ? String(value)
    : String(Number(value.toPrecision(4)));
}

/**
 * The path JupyterLab can open for a notebook recorded in a candidate's provenance, or null.
 * The kernel hook records server-relative paths; a notebook that logged itself from code records
 * the kernel's absolute path, which opens only when it lies under the Jupyter server's root.
 */
export function openableNotebookPath(
  recorded: string,
  serverRoot: string
): string | null {
  if (!recorded.startsWith('/')) {
    return recorded;
  }
  const root = serverRoot.replace(/\/+$/, '');
  return root && recorded.startsWith(`${root}/`)
    ? recorded.slice(root.length + 1)
    : null;
}
