import type { Row } from './types.js';
import { formatOps } from './measure.js';

type PeerColumn = 'ee2' | 'nest' | 'rxjs' | 'ee';
const PEER_COLUMNS: readonly { key: PeerColumn; label: string; short: string }[] = [
  { key: 'ee2', label: 'EE2', short: 'EE2' },
  { key: 'nest', label: '@nestjs/event-emitter', short: 'nest' },
  { key: 'rxjs', label: 'rxjs Subject+filter', short: 'rxjs' },
  { key: 'ee', label: 'EventEmitter', short: 'EE' },
];

function ratio(ours: number, peer: number | undefined): string {
  return peer === undefined || !(peer > 0) ? '–' : `${(ours / peer).toFixed(2)}x`;
}

export function targetMet(row: Row): boolean | undefined {
  if (row.targetVsEe2 === undefined || row.ee2 === undefined) return undefined;
  return row.ours / row.ee2 >= row.targetVsEe2;
}

/** One markdown table, ready to paste into the README, with a column for each peer some row has. */
export function markdownTable(rows: readonly Row[]): string {
  const peers = PEER_COLUMNS.filter((peer) => rows.some((row) => row[peer.key] !== undefined));
  const header = [
    'workload',
    'ours ops/s',
    ...peers.map((peer) => `${peer.label} ops/s`),
    ...peers.map((peer) => `ours/${peer.short}`),
    'target',
    'met',
    'notes',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((h, i) => (i === 0 || i === header.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const met = targetMet(row);
    lines.push(
      `| ${[
        row.workload,
        formatOps(row.ours),
        ...peers.map((peer) => (row[peer.key] === undefined ? '–' : formatOps(row[peer.key]!))),
        ...peers.map((peer) => ratio(row.ours, row[peer.key])),
        row.targetVsEe2 === undefined ? '–' : `≥${row.targetVsEe2}x EE2`,
        met === undefined ? '–' : met ? 'yes' : '**no**',
        row.note ?? '',
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** Rows grouped by their `table`, each group under its heading. */
export function markdownTables(rows: readonly Row[]): string {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = row.table ?? '';
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups].map(([heading, group]) => (heading === '' ? '' : `#### ${heading}\n\n`) + markdownTable(group)).join('\n\n');
}
