/** One row of the printed table. */
export interface Row {
  measurement: string;
  n: number | string;
  median: number | string | null;
  p90: number | string | null;
  note: string;
}

const COLUMNS: Array<{ key: keyof Row; title: string; align: 'left' | 'right' }> = [
  { key: 'measurement', title: 'measurement', align: 'left' },
  { key: 'n', title: 'n', align: 'right' },
  { key: 'median', title: 'median ms', align: 'right' },
  { key: 'p90', title: 'p90 ms', align: 'right' },
  { key: 'note', title: 'ratio / note', align: 'left' },
];

/** A plain-text table, columns padded to their widest cell. */
export function table(rows: readonly Row[]): string {
  const cells = [COLUMNS.map((column) => column.title), ...rows.map((row) => COLUMNS.map((column) => String(row[column.key] ?? '–')))];
  const widths = COLUMNS.map((_, index) => Math.max(...cells.map((line) => (line[index] as string).length)));
  const format = (line: string[]) =>
    line
      .map((cell, index) => (COLUMNS[index]?.align === 'right' ? cell.padStart(widths[index] as number) : cell.padEnd(widths[index] as number)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = cells;
  return [format(header as string[]), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(format)].join('\n');
}

/** The machine-readable result: one line, greppable by its prefix. */
export const benchLine = (result: unknown) => `BENCH ${JSON.stringify(result)}`;
