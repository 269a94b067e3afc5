export interface Row {
  label: string;
  value: string;
  detail?: string;
}

/** A plain aligned text table, readable in a terminal and in a CI log. */
export function table(title: string, rows: Row[]): string {
  const labelWidth = Math.max(...rows.map((row) => row.label.length), 10);
  const valueWidth = Math.max(...rows.map((row) => row.value.length), 5);
  const lines = rows.map((row) => `  ${row.label.padEnd(labelWidth)}  ${row.value.padStart(valueWidth)}${row.detail ? `  ${row.detail}` : ''}`);
  return [title, ...lines].join('\n');
}

export interface TargetCheck {
  target: string;
  actual: string;
  /** null when a figure it needs was not measured. */
  met: boolean | null;
}

export function verdict(met: boolean | null): string {
  return met === null ? 'NOT MEASURED' : met ? 'met' : 'NOT MET';
}
